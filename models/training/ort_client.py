"""Python side of ort_pipe.cjs: runs ONNX models in onnxruntime-node (the app's runtime), since
Debian's Python here has no onnxruntime. Used by quantize_int8.py (calibration) and
evaluate_int8.py (validation figures of the float and int8 graphs)."""
import json
import os
import struct
import subprocess

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


class OrtPipe:
    """One long-lived `node ort_pipe.cjs`; sessions are cached there per model path."""

    def __init__(self):
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "ort_pipe.cjs")], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, model, inputs, outputs=None):
        """inputs: {name: float32 ndarray}; returns {name: float32 ndarray} (all outputs when None)."""
        arrays = {k: np.ascontiguousarray(v, np.float32) for k, v in inputs.items()}
        header = json.dumps({"model": os.path.abspath(model),
                             "inputs": {k: list(v.shape) for k, v in arrays.items()},
                             "outputs": outputs}).encode()
        self.proc.stdin.write(struct.pack("<I", len(header)) + header)
        for v in arrays.values():
            self.proc.stdin.write(v.tobytes())
        self.proc.stdin.flush()
        (hlen,) = struct.unpack("<I", self._read(4))
        reply = json.loads(self._read(hlen))
        if "error" in reply:
            raise RuntimeError(f"onnxruntime-node on {model}: {reply['error']}")
        out = {}
        for o in reply["outputs"]:
            n = int(np.prod(o["dims"])) if o["dims"] else 1
            out[o["name"]] = np.frombuffer(self._read(4 * n), np.float32).reshape(o["dims"])
        return out

    def _read(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.proc.stdout.read(n - len(buf))
            if not chunk:
                raise RuntimeError("ort_pipe.cjs stopped (see its stderr above)")
            buf += chunk
        return bytes(buf)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class OrtWrapper:
    """Stands in for a PyTorch export wrapper in evaluate.measure: (x0, x1) torch tensors in, the
    model's `prob` out as a torch tensor, computed by onnxruntime-node."""

    def __init__(self, pipe, model):
        self.pipe, self.model = pipe, model

    def __call__(self, x0, x1):
        out = self.pipe.run(self.model, {"before": x0.numpy(), "after": x1.numpy()}, ["prob"])
        return torch.from_numpy(out["prob"].copy())
