"""Why is fp8blk slower than bf16 under transformers' static-cache compiled decoding? Profile one generate each."""
import sys, tempfile, time, torch
from pathlib import Path
sys.path.insert(0, "tests/gpu")
import hf_generate as hg
torch._logging.set_logs(recompiles=True)
tmp = Path(tempfile.mkdtemp()) / "ckpt"
hg.build_checkpoint(tmp, 8)
prompt = torch.randint(0, 32000, (1, 16), device="cuda")
kw = dict(max_new_tokens=24, min_new_tokens=24, do_sample=False, cache_implementation="static")
for kind in ("fp8blk", "bf16"):
    model = hg.load(kind, tmp)
    with torch.no_grad():
        model.generate(prompt, **kw); model.generate(prompt, **kw)
        torch.cuda.synchronize(); t = time.perf_counter(); model.generate(prompt, **kw); torch.cuda.synchronize()
        print(kind, "tok/s", 24 / (time.perf_counter() - t), flush=True)
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]) as prof:
            model.generate(prompt, **kw); torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=22, max_name_column_width=60))
    print(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=8, max_name_column_width=60))
    model = None
