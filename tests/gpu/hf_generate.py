"""Greedy decoding through transformers on a GPU: bf16 weights vs transformers' own FP8 path vs fp8blk.from_pretrained.

    python tests/gpu/hf_generate.py [--layers 8] [--new-tokens 64] [--modes eager,static] [--out results.md]

Builds a Llama of a few hundred MB with random weights (hidden 2048, MLP 5632), saves it FP8 (DeepSeek/HF
``weight_scale_inv`` convention, 128x128 blocks, fp32 scales) with fp8blk's writer, and times ``generate`` (batch 1,
16-token prompt, greedy) for each loader: tokens per second (median of 3 after two warm-ups), peak GPU memory, and
the agreement of the generated tokens with the bf16 model. ``static`` uses transformers' static KV cache, for which
``generate`` compiles the decoding step itself (``torch.compile``, fullgraph, mode "reduce-overhead"): the first
warm-up compiles, the second records the CUDA graphs. A loader that cannot run here (e.g. transformers' FP8 kernels
come from a hub download) is reported with its error, not dropped.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch


def build_checkpoint(directory: Path, layers: int) -> None:
    import transformers
    from safetensors.torch import save_file

    from fp8blk.checkpoint import quantization_config_for
    from fp8blk.formats import quantize_fp8_block

    torch.manual_seed(0)
    config = transformers.LlamaConfig(hidden_size=2048, intermediate_size=5632, num_hidden_layers=layers,
                                      num_attention_heads=16, num_key_value_heads=4, vocab_size=32000,
                                      max_position_embeddings=512, tie_word_embeddings=False)
    model = transformers.LlamaForCausalLM(config).to(torch.bfloat16)
    tensors = {}
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and name != "lm_head":
            wq, scale = quantize_fp8_block(torch.randn_like(module.weight.float()) * 0.02)
            tensors[f"{name}.weight"], tensors[f"{name}.weight_scale_inv"] = wq, scale
    for key, value in model.state_dict().items():
        tensors.setdefault(key, value.contiguous())
    directory.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(directory / "model.safetensors"), metadata={"format": "pt"})
    config_dict = config.to_dict()
    config_dict["quantization_config"] = quantization_config_for("weight_scale_inv", (128, 128))
    (directory / "config.json").write_text(json.dumps(config_dict))


def load(kind: str, path: Path):
    import transformers

    import fp8blk
    if kind == "fp8blk":
        return fp8blk.from_pretrained(path, device="cuda", dtype=torch.bfloat16)
    if kind == "transformers_fp8":
        return transformers.AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16, device_map="cuda")
    # bf16: the same weights dequantized (fp8blk's loader, then every Fp8BlockLinear expanded to an nn.Linear)
    model = fp8blk.from_pretrained(path, device="cuda", dtype=torch.bfloat16)
    for name, module in list(model.named_modules()):
        if isinstance(module, fp8blk.Fp8BlockLinear):
            dense = torch.nn.Linear(module.in_features, module.out_features, bias=False, device="cuda",
                                    dtype=torch.bfloat16)
            dense.weight.data = module.dequantized_weight(torch.bfloat16)
            parent, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent), child, dense)
    return model


def time_generate(model, mode: str, new_tokens: int):
    prompt = torch.randint(0, 32000, (1, 16), device="cuda", generator=torch.Generator("cuda").manual_seed(0))
    kwargs = dict(max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False)
    if mode == "static":  # transformers compiles the decoding step itself for a static cache (reduce-overhead)
        kwargs["cache_implementation"] = "static"
    with torch.no_grad():
        logits = model(prompt).logits.float()
    for _ in range(2):  # warm-up: the first call compiles, the second records the CUDA graphs (static mode)
        out = model.generate(prompt, **kwargs)
    times = []
    for _ in range(3):
        torch.cuda.synchronize()
        start = time.perf_counter()
        out = model.generate(prompt, **kwargs)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return new_tokens / statistics.median(times), out[0, prompt.shape[1]:].tolist(), logits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--modes", default="eager")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ckpt"
        build_checkpoint(path, args.layers)
        size = sum(f.stat().st_size for f in path.iterdir()) / 2**20
        baseline = {}
        for mode in args.modes.split(","):
            for kind in ("bf16", "transformers_fp8", "fp8blk"):
                gc.collect()  # the previous loader's model, compiled graphs and cached blocks go before this peak
                torch._dynamo.reset()
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats()
                try:
                    model = load(kind, path)
                    tps, tokens, logits = time_generate(model, mode, args.new_tokens)
                    if kind == "bf16":
                        baseline[mode] = (tokens, logits)
                    base_tokens, base_logits = baseline.get(mode, (tokens, logits))
                    same = sum(a == b for a, b in zip(tokens, base_tokens))
                    err = float((logits - base_logits).norm() / base_logits.norm())
                    rows.append((mode, kind, f"{tps:.1f}", f"{torch.cuda.max_memory_allocated() / 2**20:.0f}",
                                 f"{err:.2e}", f"{same}/{len(tokens)}"))
                except Exception as exc:  # noqa: BLE001 - report, keep the others
                    rows.append((mode, kind, "—", "—", "—", f"{type(exc).__name__}: {exc}".split("\n")[0][:160]))
                finally:
                    model = None
    lines = [f"# transformers greedy decoding: {torch.cuda.get_device_name()}", "",
             f"Llama, {args.layers} layers, hidden 2048, MLP 5632, vocab 32000; checkpoint {size:.0f} MiB "
             f"(FP8 linears, weight_scale_inv, bf16 rest); batch 1, 16-token prompt, {args.new_tokens} new tokens, "
             f"greedy; median of 3. torch {torch.__version__}.", "",
             "Prompt logits vs bf16: relative L2 difference. Greedy tokens equal to bf16's: random weights give "
             "near-flat logits, so argmax flips on tiny differences; the logits column is the numerics check.", "",
             "| mode | loader | tokens/s | peak GPU MiB | prompt logits vs bf16 | tokens equal to bf16 |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
