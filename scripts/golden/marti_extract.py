#!/usr/bin/env python3
"""Writes test/search/fixtures/marti-extract.json: what MARTI's two code-extraction rules return
for a set of model answers, computed with Python's own `re` (the patterns are copied from MARTI
marti/verifiers/areal/code_reward.py::extract_python_code with strict_syntax=False, and
marti/agent_workflows/third_party/mcts_utils/ab_mcts/llm_generation_interface.py::parse_python_code).
Run: python3 scripts/golden/marti_extract.py   (standard library only)
"""
import json
import os
import re

CASES = [
    "Here is my answer:\n```python\nimport sys\nprint(sum(map(int, sys.stdin.read().split())))\n```\nDone.",
    "```python\nprint('first attempt, long enough')\n```\nthen\n```python\nprint('second attempt, long enough')\n```",
    "```python\nprint('the long one, really long')\n```\n```python\nx=1\n```",
    "```py\nprint('py tag works as well here')\n```",
    "```PYTHON\nprint('upper-case tag is accepted')\n```",
    "```\nprint('an unmarked fence is accepted')\n```",
    "```cpp\nint main() { return 0; }  // C++\n```",
    "```python3\nprint('python3 keeps the 3 in the block')\n```",
    "```python\nprint('no closing fence at all, so nothing')",
    "```python\nprint('closing fence on the same line')```",
    "```python\nprint('héllo wörld ✓✓✓')\n```",
    "```python\n\tif True:\n\t\tprint('tabs become four spaces')\n```",
    "<think>maybe ```python\nprint(1)\n``` works</think>\nFinal:\n```python\ndef solve():\n    return 42\n```",
    "```Python\nprint('case matters for the feedback rule')\n```",
    "no code here",
    "```python\n\n```",
    "```python\nprint('\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600')\n```",
]

def extract_program(text, min_length=20):
    code_pattern = r"(?i)```(?:python|py)?\s*\n?(.*?)\n?```"
    valid = []
    for block in re.findall(code_pattern, text, re.DOTALL):
        clean = block.strip()
        if len(clean) < min_length:
            continue
        valid.append(clean)
    return valid[-1] if valid else None

def feedback_code(text):
    code = re.search(r"```python\n(.*)\n```", text, re.DOTALL | re.MULTILINE)
    if code is None:
        return None
    return code.group(1).replace("\t", " " * 4)

out = [{"text": t, "program": extract_program(t), "feedback": feedback_code(t)} for t in CASES]
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "search", "fixtures", "marti-extract.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump({"generator": "scripts/golden/marti_extract.py", "cases": out}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"wrote {len(out)} cases to {os.path.normpath(path)}")
