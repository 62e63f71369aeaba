#!/usr/bin/env python3
"""Writes test/search/fixtures/treequest-traces-extra.json: exact draw-by-draw traces recorded from
TreeQuest 0.3.3 itself, in the format of ../shared/research/treequest-traces.json, for what that file
does not cover: multiarm_bandit_ucb, stack (NODE_ACTION draws; GEN/CONT/CHILD per action), reward-average
priors and non-default priors. TreeQuest's own draws are hooked (ProbabilisticDist.draw_sample,
NodeProbState.thompson_sampling, NodeProbState._select_best_action); its logic is not re-implemented.

Set-up (PyPI): python3 -m venv .venv-tq && .venv-tq/bin/pip install treequest==0.3.3
Run:          .venv-tq/bin/python scripts/golden/treequest_trace.py
"""
import json
import os
import random
import sys

import numpy as np
import treequest as tq
from treequest.algos.ab_mcts_a import prob_state as ps

sys.path.insert(0, os.path.dirname(__file__))
from treequest_sim import CONFIGS, STEPS, build, score  # noqa: E402

TRACED = [
    "ucb_gaussian_2",
    "ucb_beta_3_fractional",
    "stack_beta_2",
    "stack_gaussian_1",
    "stack_gaussian_2_fractional",
    "thompson_gaussian_2_reward_priors",
    "thompson_beta_3_prior",
    "thompson_gaussian_2_prior",
]

CTX = {"state": None, "probas": None, "owner": None, "actions": None, "k": 0}
DRAWS = []


def node_id(owner):
    for idx, s in CTX["state"].thompson_states.states.items():
        if s is owner:
            return idx
    raise RuntimeError("NodeProbState not in the tree")


def tree_node(idx):
    for n in CTX["state"].tree.get_nodes():
        if n.expand_idx == idx:
            return n
    raise RuntimeError(idx)


orig_draw = ps.ProbabilisticDist.draw_sample
orig_ts = ps.NodeProbState.thompson_sampling
orig_best = ps.NodeProbState._select_best_action


def draw(self):
    value = float(orig_draw(self))
    rec = {"dist": self.dist_type, "params": {k: float(v) for k, v in self.params.items()}}
    if self.dist_type == "gaussian":
        rec["n_obs"] = len(self.all_obs)
    if CTX["probas"] is not None:
        name = next(k for k, d in CTX["probas"].items() if d is self)
        node = node_id(CTX["owner"])
        if name in ("GEN", "CONT"):
            rec.update(role=name, node=node)
            if CTX["owner"].model_selection_strategy == "stack":
                rec["action"] = next(a for a, pair in CTX["owner"].gen_vs_cont_probas.items() if pair is CTX["probas"])
        elif isinstance(name, int):
            rec.update(role="CHILD", node=node, child=tree_node(node).children[name].expand_idx)
        else:
            rec.update(role="NODE_ACTION", node=node, action=name)
    else:
        rec.update(role="ACTION", action=CTX["actions"][CTX["k"]])
        CTX["k"] += 1
    rec["value"] = value
    DRAWS.append(rec)
    return value


def thompson_sampling(self, probas):
    CTX["probas"], CTX["owner"] = probas, self
    try:
        return orig_ts(self, probas)
    finally:
        CTX["probas"] = CTX["owner"] = None


def select_best_action(self, strategy, all_rewards_store):
    CTX["actions"], CTX["k"] = list(all_rewards_store.keys()), 0
    return orig_best(self, strategy, all_rewards_store)


ps.ProbabilisticDist.draw_sample = draw
ps.NodeProbState.thompson_sampling = thompson_sampling
ps.NodeProbState._select_best_action = select_best_action


def trace_tree(c, algo, env):
    names = [a["name"] for a in c["agents"]]
    state = algo.init_tree()
    CTX["state"] = state
    steps = []
    for step in range(1, STEPS + 1):
        DRAWS.clear()
        state, trial = algo.ask(state, names)
        parent = state.tree.get_node(trial.node_to_expand)
        i = names.index(trial.action)
        s = score(c, c["agents"][i], None if parent.expand_idx < 0 else parent.score, env.random())
        steps.append({"step": step, "draws": list(DRAWS), "expand_parent": parent.expand_idx, "action": trial.action, "score": s})
        state = algo.tell(state, trial.trial_id, ((i, s), s))
    nodes = [n for n in state.tree.get_nodes() if n.expand_idx >= 0]
    tree = {"parent": [n.parent.expand_idx for n in nodes], "agent": [n.state[0] for n in nodes], "score": [n.score for n in nodes]}
    return steps, tree


def main():
    out = {"generator": "scripts/golden/treequest_trace.py (hooks in treequest 0.3.3)", "configs": {}}
    for k, name in enumerate(TRACED):
        c = CONFIGS[name]
        np.random.seed(5000 + k)
        env = random.Random(6000 + k)
        trials = []
        for t in range(2):
            steps, tree = trace_tree(c, build(c), env)
            trials.append({"trial": t, "steps": steps, "tree": tree})
        out["configs"][name] = {"config": c, "trials": trials}
        print(name, "draws:", sum(len(s["draws"]) for t in trials for s in t["steps"]))
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "search", "fixtures", "treequest-traces-extra.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
