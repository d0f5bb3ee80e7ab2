"""What the Llama benchmark scripts (engine_speed.py, hook_cost.py) share: running bench_llama_hooks for
its JSON line, and writing its random model once."""
import json
import os
import subprocess


def run_json(command, env):
    """The last stdout line of `command`, parsed as JSON."""
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def ensure_model(bench, path, shape):
    """Writes bench_llama_hooks' random F32 Llama of shape (width, blocks, vocab) at `path` unless it exists."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    width, blocks, vocab = shape
    subprocess.run([bench, "write-model", path, "--width", str(width), "--blocks", str(blocks), "--vocab", str(vocab)],
                   check=True)
