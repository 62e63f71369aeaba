// Every ORT InferenceSession mars2 creates (engine runtimes, trainer graphs) comes from `createSession`,
// which counts the live ones in this thread: a released policy version's sessions must go (issue 15
// item 4), and tests hold that with `liveSessions()` rather than with RSS.
import * as ort from 'onnxruntime-node';

let live = 0;

export async function createSession(model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(model, options);
  live++;
  const release = session.release.bind(session);
  let released = false;
  session.release = () => {
    if (!released) live--;
    released = true;
    return release();
  };
  return session;
}

/** Sessions created by `createSession` in this thread and not yet released. */
export const liveSessions = (): number => live;
