#!/usr/bin/env python3
"""Writes test/search/fixtures/treequest-sim-stats.json: per-tree statistics of trees that TreeQuest
0.3.3 itself builds on `mars2 search-sim`'s synthetic environment, for configs the exact traces do not
cover (ucb, stack, reward-average priors, non-default priors, fractional scores, 3 agents).
test/search/simStats.test.ts compares mars2's trees with these (means within 5 standard errors).

Set-up (PyPI): python3 -m venv .venv-tq && .venv-tq/bin/pip install treequest==0.3.3
Run:          .venv-tq/bin/python scripts/golden/treequest_sim.py [trials]   (default 3000)
"""
import json
import math
import os
import random
import sys

import numpy as np
import treequest as tq
from treequest.algos.ab_mcts_a.prob_state import PriorConfig

A2 = [
    {"name": "strong", "p_root": 0.3, "p_refine_given_parent_pass": 0.8, "p_refine_given_parent_fail": 0.35},
    {"name": "weak", "p_root": 0.1, "p_refine_given_parent_pass": 0.5, "p_refine_given_parent_fail": 0.1},
]
A3 = A2 + [{"name": "mid", "p_root": 0.2, "p_refine_given_parent_pass": 0.6, "p_refine_given_parent_fail": 0.25}]
A1 = A2[:1]

CONFIGS = {
    "thompson_gaussian_2": {"dist_type": "gaussian", "mode": "bernoulli", "agents": A2},
    "thompson_beta_1": {"dist_type": "beta", "mode": "bernoulli", "agents": A1},
    "ucb_gaussian_2": {"dist_type": "gaussian", "model_selection_strategy": "multiarm_bandit_ucb", "mode": "bernoulli", "agents": A2},
    "ucb_beta_3_fractional": {"dist_type": "beta", "model_selection_strategy": "multiarm_bandit_ucb", "mode": "fractional", "agents": A3},
    "stack_beta_2": {"dist_type": "beta", "model_selection_strategy": "stack", "mode": "bernoulli", "agents": A2},
    "stack_gaussian_1": {"dist_type": "gaussian", "model_selection_strategy": "stack", "mode": "bernoulli", "agents": A1},
    "stack_gaussian_2_fractional": {"dist_type": "gaussian", "model_selection_strategy": "stack", "mode": "fractional", "pass_threshold": 0.55, "agents": A2},
    "thompson_gaussian_2_reward_priors": {"dist_type": "gaussian", "reward_average_priors": {"strong": 0.2, "weak": 0.9}, "mode": "bernoulli", "agents": A2},
    "thompson_beta_3_prior": {"dist_type": "beta", "prior": {"a": 1.0, "b": 3.0}, "mode": "fractional", "agents": A3},
    "thompson_gaussian_2_prior": {"dist_type": "gaussian", "prior": {"m": 0.5, "kappa": 2.0, "nu": 3.0, "tau_square": 0.02}, "mode": "bernoulli", "agents": A2},
}

STEPS = 16


def threshold(c):
    return c.get("pass_threshold", 1.0 if c["mode"] == "bernoulli" else 0.5)


def score(c, agent, parent_score, u):
    if parent_score is None:
        p = agent["p_root"]
    elif parent_score >= threshold(c):
        p = agent["p_refine_given_parent_pass"]
    else:
        p = agent["p_refine_given_parent_fail"]
    if c["mode"] == "bernoulli":
        return 1.0 if u < p else 0.0
    lo, hi = max(0.0, 2 * p - 1), min(1.0, 2 * p)
    return lo + (hi - lo) * u


def build(c):
    kwargs = {"dist_type": c["dist_type"], "model_selection_strategy": c.get("model_selection_strategy", "multiarm_bandit_thompson")}
    if "prior" in c:
        kwargs["prior_config"] = PriorConfig(dist_type=c["dist_type"], prior=dict(c["prior"]))
    if "reward_average_priors" in c:
        kwargs["reward_average_priors"] = {k: float(v) for k, v in c["reward_average_priors"].items()}
    return tq.ABMCTSA(**kwargs)


def one_tree(c, algo, env):
    names = [a["name"] for a in c["agents"]]
    state = algo.init_tree()
    fns = {}
    for i, a in enumerate(c["agents"]):
        def fn(parent_state, a=a, i=i):
            parent_score = None if parent_state is None else parent_state[1]
            s = score(c, a, parent_score, env.random())
            return ((i, s), s)
        fns[a["name"]] = fn
    for _ in range(STEPS):
        state = algo.step(state, fns, inplace=True)
    nodes = [n for n in state.tree.get_nodes() if n.expand_idx >= 0]
    parent = [n.parent.expand_idx for n in nodes]
    agent = [n.state[0] for n in nodes]
    sc = [n.score for n in nodes]
    return {"parent": parent, "agent": agent, "score": sc, "names": names}


def metrics(c, t):
    """Per-tree quantities; simStats.test.ts computes the same ones."""
    n = len(t["parent"])
    depth = []
    for p in t["parent"]:
        depth.append(1 if p == -1 else depth[p] + 1)
    out = {
        "solved": 1.0 if max(t["score"]) >= threshold(c) else 0.0,
        "best": max(t["score"]),
        "mean_score": sum(t["score"]) / n,
        "refinements": sum(1 for p in t["parent"] if p != -1) / n,
        "max_depth": float(max(depth)),
        "root_children": float(sum(1 for p in t["parent"] if p == -1)),
    }
    for i, a in enumerate(c["agents"]):
        out[f"share_{a['name']}"] = sum(1 for x in t["agent"] if x == i) / n
    return out


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    result = {"generator": "scripts/golden/treequest_sim.py", "treequest": "0.3.3", "steps": STEPS, "configs": {}}
    for k, (name, c) in enumerate(CONFIGS.items()):
        np.random.seed(1000 + k)
        env = random.Random(2000 + k)
        algo = build(c)
        rows = [metrics(c, one_tree(c, algo, env)) for _ in range(trials)]
        stats = {}
        for key in rows[0]:
            xs = [r[key] for r in rows]
            mean = sum(xs) / len(xs)
            sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))
            stats[key] = {"mean": mean, "sd": sd}
        result["configs"][name] = {"config": c, "trials": trials, "stats": stats}
        print(name, {k2: round(v["mean"], 4) for k2, v in stats.items()}, flush=True)
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "search", "fixtures", "treequest-sim-stats.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
