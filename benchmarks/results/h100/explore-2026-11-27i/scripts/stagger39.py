"""exp39 support: the decode kernel with each program's K-steps in rotated order (NOTES item 47's hypothesis).

Program (pid_n, split) walks its steps starting at offset pid_n mod (its step count) and wraps, so the programs of a
launch read different column ranges of their rows at any moment instead of near-lockstep ones. Each program's sum
order is fixed per shape (deterministic) but differs from the library kernel's: outputs agree to rounding, not
bitwise. Built from the library's own source (kernels/fp8_decode.py), swapped in with `use(True/False)`."""
import importlib
import importlib.util
import tempfile
from pathlib import Path

matmul_module = importlib.import_module("fp8blk.kernels.fp8_block_matmul")
decode_module = importlib.import_module("fp8blk.kernels.fp8_decode")

LOOP = "for step in tl.range(first_step, last_step, num_stages=NUM_STAGES):\n"
ROTATED = ("for turn in tl.range(first_step, last_step, num_stages=NUM_STAGES):\n"
           "{indent}    step = first_step + (turn - first_step + pid_n) % tl.maximum(last_step - first_step, 1)\n")
BASE = matmul_module._fp8_decode_kernel
_patched = None


def patched_kernel():
    global _patched
    if _patched is None:
        lines = Path(decode_module.__file__).read_text().splitlines(keepends=True)
        out, count = [], 0
        for line in lines:
            if line.strip() + "\n" == LOOP:
                indent = line[:len(line) - len(line.lstrip())]
                out.append(indent + ROTATED.format(indent=indent))
                count += 1
            else:
                out.append(line)
        assert count == 2, f"expected the decode kernel's two K loops, found {count}"
        path = Path(tempfile.mkdtemp()) / "fp8_decode_stagger.py"
        path.write_text("".join(out))
        spec = importlib.util.spec_from_file_location("fp8blk.kernels.fp8_decode_stagger", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _patched = module._fp8_decode_kernel
    return _patched


def use(stagger: bool) -> None:
    matmul_module._fp8_decode_kernel = patched_kernel() if stagger else BASE
    matmul_module._launch_plan.cache_clear()


if __name__ == "__main__":  # CPU (TRITON_INTERPRET=1): the rotated kernel against the float64 reference
    import torch
    from fp8blk.formats import quantize_fp8_block
    from fp8blk.kernels import fp8_block_matmul
    from fp8blk.kernels.fp8_decode import DecodeConfig
    torch.manual_seed(0)
    for m, n, k, cfg in ((1, 72, 1000, DecodeConfig(8, 1, 128, 2, 1, False, 4, 2)),
                         (1, 64, 1536, DecodeConfig(4, 1, 128, 1, 2, False, 4, 3)),
                         (5, 96, 1100, DecodeConfig(32, 16, 128, 1, 2, True, 4, 3))):
        w, s = quantize_fp8_block(torch.randn(n, k) * 0.02)
        x = torch.randn(m, k).to(torch.float16)
        ref = x.double() @ (w.double() * s.double().repeat_interleave(128, 0)[:n].repeat_interleave(128, 1)[:, :k]).T
        use(False)
        base = fp8_block_matmul(x, w, s, config=cfg)
        use(True)
        rot = fp8_block_matmul(x, w, s, config=cfg)
        err = lambda y: ((y.double() - ref).norm() / ref.norm()).item()  # noqa: E731
        print(f"M={m} {n}x{k} {cfg[:6]}: rel err base {err(base):.2e} rotated {err(rot):.2e}, "
              f"bitwise equal {torch.equal(base, rot)}")
