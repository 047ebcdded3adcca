"""vLLM's Marlin FP8 W8A16 GEMM as a baseline: built from vLLM's source distribution on demand.

If ``vllm`` is importable, its own ``prepare_fp8_layer_for_marlin`` / ``apply_fp8_marlin_linear``
are used. Otherwise the Marlin kernel is built from the vLLM sdist (``--vllm-sdist``, env
``FP8BLK_VLLM_SDIST``, or ``.marlin/vllm-*.tar.gz``): only the Marlin headers and template,
``marlin.cu``'s host function ``marlin::marlin_mm`` (its torch stable-ABI wrapper is cut off),
``gptq_marlin_repack.cu``'s kernel and ``core/scalar_type.hpp`` are extracted; vLLM's own
``generate_kernels.py`` generates the bf16-activation x float8_e4m3fn-weight instantiations only;
a small binding of ours calls ``marlin_mm`` and the repack kernel. Nothing of it is committed
(``.marlin/`` is ignored); the build is cached there.

Inputs are prepared as vLLM does for block-quantized FP8 (``prepare_fp8_layer_for_marlin``): the
weight packed 4 x fp8 per int32 along K and repacked; N and K padded to Marlin's tile multiples;
block scales -> per-128-K-group scales repeated over each 128-row block, laid out (K/128, N),
permuted like ``marlin_permute_scales``, cast to bf16 and multiplied by 2**120 (the fp8 -> bf16
exponent bias); fp32 reduce on, atomics off.
"""
from __future__ import annotations

import importlib.util
import math
import os
import re
import sys
import tarfile
from pathlib import Path
from typing import Callable, Optional

import torch

# The sdist and the build live in a cache directory of the user's: env FP8BLK_MARLIN_CACHE, else ./.marlin (never
# inside the installed package).
CACHE = Path(os.environ.get("FP8BLK_MARLIN_CACHE", ".marlin")).resolve()
NEEDED = ["csrc/quantization/marlin/" + name for name in (
    "kernel.h", "marlin.cuh", "marlin_dtypes.cuh", "marlin_template.h", "dequant.h", "marlin_mma.h", "marlin.cu",
    "gptq_marlin_repack.cu", "generate_kernels.py")] + ["csrc/core/scalar_type.hpp"]

BINDING = r"""
#include <torch/extension.h>
#include <c10/cuda/CUDAStream.h>
#include "kernel.h"

namespace marlin {
void marlin_mm(const void* A, const void* B, void* C, void* C_tmp, void* b_bias, void* a_s, void* b_s, void* g_s,
               void* zp, int prob_m, int prob_n, int prob_k, int lda, void* workspace, vllm::ScalarType const& a_type,
               vllm::ScalarType const& b_type, vllm::ScalarType const& c_type, vllm::ScalarType const& s_type,
               bool has_bias, bool has_zp, int num_groups, int group_size, int dev, cudaStream_t stream,
               int thread_k_init, int thread_n_init, int sms, bool use_atomic_add, bool use_fp32_reduce,
               bool is_zp_float);
void repack_fp8(const uint32_t* in, uint32_t* out, int size_k, int size_n, int sms, int max_shared_mem,
                cudaStream_t stream);
}

torch::Tensor gemm(torch::Tensor a, torch::Tensor b_q_weight, torch::Tensor b_scales, torch::Tensor workspace,
                   torch::Tensor c_tmp, int64_t size_n, int64_t size_k) {
  TORCH_CHECK(a.scalar_type() == at::kBFloat16 && a.stride(1) == 1 && a.size(1) == size_k);
  int dev = a.get_device();
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  auto c = torch::empty({a.size(0), size_n}, a.options());
  int num_groups = b_scales.size(0);
  int group_size = num_groups > 1 ? size_k / num_groups : -1;
  float* none = nullptr;
  marlin::marlin_mm(a.data_ptr(), b_q_weight.data_ptr(), c.data_ptr(), c_tmp.data_ptr(), none, none,
                    b_scales.data_ptr(), none, none, a.size(0), size_n, size_k, a.stride(0), workspace.data_ptr(),
                    vllm::kBFloat16, vllm::kFE4M3fn, vllm::kBFloat16, vllm::kBFloat16, false, false, num_groups,
                    group_size, dev, at::cuda::getCurrentCUDAStream(dev), -1, -1, sms, false, true, false);
  return c;
}

torch::Tensor repack(torch::Tensor b_q_weight, int64_t size_k, int64_t size_n) {
  int dev = b_q_weight.get_device();
  int sms = 0, max_shared_mem = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  cudaDeviceGetAttribute(&max_shared_mem, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev);
  auto out = torch::empty({size_k / marlin::tile_size, size_n * marlin::tile_size / 4}, b_q_weight.options());
  marlin::repack_fp8(reinterpret_cast<const uint32_t*>(b_q_weight.data_ptr()),
                     reinterpret_cast<uint32_t*>(out.data_ptr()), size_k, size_n, sms, max_shared_mem,
                     at::cuda::getCurrentCUDAStream(dev));
  return out;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("gemm", &gemm);
  m.def("repack", &repack);
}
"""

REPACK_LAUNCHER = r"""
namespace marlin {
void repack_fp8(const uint32_t* in, uint32_t* out, int size_k, int size_n, int sms, int max_shared_mem,
                cudaStream_t stream) {
  cudaFuncSetAttribute(gptq_marlin_repack_kernel<repack_threads, 8, false>,
                       cudaFuncAttributeMaxDynamicSharedMemorySize, max_shared_mem);
  gptq_marlin_repack_kernel<repack_threads, 8, false><<<sms, repack_threads, max_shared_mem, stream>>>(
      in, out, size_k, size_n);
}
}
"""


def find_sdist(explicit: Optional[str] = None) -> Path:
    for candidate in (explicit, os.environ.get("FP8BLK_VLLM_SDIST")):
        if candidate:
            return Path(candidate)
    found = sorted(CACHE.glob("vllm-*.tar.gz"))
    if not found:
        raise FileNotFoundError(
            "no vLLM source distribution: download one (see benchmarks/README.md) into .marlin/ or pass --vllm-sdist")
    return found[-1]


def _strip_stable_abi(text: str) -> str:
    text = re.sub(r'#include <torch/csrc/stable/[^>]+>\n', "", text)
    return text.replace('#include "torch_utils.h"\n', "")


def extract_sources(sdist: Path, dest: Path) -> Path:
    """Extracts what the Marlin FP8 GEMM needs, generates its bf16 x e4m3 kernels; returns the source dir."""
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
        for name in NEEDED:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(members[name]).read())
    marlin_dir = dest / "csrc/quantization/marlin"

    # marlin.cu: keep the config logic and marlin::marlin_mm, drop the torch stable-ABI op around it.
    source = (marlin_dir / "marlin.cu").read_text()
    head, rest = source.split("#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 750", 1)
    body = rest.split("#else", 1)[1]
    body = body[:body.index("torch::stable::Tensor marlin_gemm(")]
    (marlin_dir / "marlin_host.cu").write_text(_strip_stable_abi(head + body))

    # gptq_marlin_repack.cu: keep the kernel template, add our launcher.
    repack = (marlin_dir / "gptq_marlin_repack.cu").read_text()
    repack = repack[:repack.index("#define CALL_IF")]
    (marlin_dir / "repack_fp8.cu").write_text(_strip_stable_abi(repack) + REPACK_LAUNCHER)
    (marlin_dir / "binding.cu").write_text(BINDING)

    # vLLM's generator, restricted to bf16 activations x float8_e4m3fn weights (block/group scales).
    spec = importlib.util.spec_from_file_location("marlin_generate_kernels", marlin_dir / "generate_kernels.py")
    generator = importlib.util.module_from_spec(spec)
    argv = sys.argv
    sys.argv = ["generate_kernels.py", "9.0", str(marlin_dir)]
    try:
        spec.loader.exec_module(generator)
    finally:
        sys.argv = argv
    generator.QUANT_CONFIGS = [dict(c, a_type=["kBFloat16"], c_type=["kBFloat16"], group_blocks=[8])
                               for c in generator.QUANT_CONFIGS
                               if c["b_type"] == "kFE4M3fn" and "s_type" not in c]
    generator.remove_old_kernels()
    generator.generate_new_kernels()
    return dest


def build(sdist: Optional[str] = None, verbose: bool = False):
    """Builds (or loads from the cache) the Marlin extension; returns the module."""
    from torch.utils.cpp_extension import load

    extracted = sorted(CACHE.glob("src-*/csrc/quantization/marlin/binding.cu"))
    if extracted and sdist is None:  # already extracted (the sdist itself need not travel with the tree)
        src = extracted[-1].parents[3]
        version = src.name.removeprefix("src-")
    else:
        sdist_path = find_sdist(sdist)
        version = sdist_path.name.removeprefix("vllm-").removesuffix(".tar.gz")
        src = CACHE / f"src-{version}"
        extract_sources(sdist_path, src)
    marlin_dir = src / "csrc/quantization/marlin"
    sources = [marlin_dir / "marlin_host.cu", marlin_dir / "repack_fp8.cu", marlin_dir / "binding.cu"]
    sources += sorted(marlin_dir.glob("sm80_kernel_*.cu"))
    major, minor = torch.cuda.get_device_capability()
    module = load(name=f"fp8blk_marlin_{version.replace('.', '_')}", sources=[str(s) for s in sources],
                  extra_include_paths=[str(src / "csrc"), str(marlin_dir)],
                  extra_cuda_cflags=["-O3", "-std=c++17", "--expt-relaxed-constexpr",
                                     "-static-global-template-stub=false",
                                     f"-gencode=arch=compute_{major}{minor},code=sm_{major}{minor}"],
                  build_directory=str(_build_dir(version)), verbose=verbose)
    module.vllm_version = version
    return module


def _build_dir(version: str) -> Path:
    path = CACHE / f"build-{version}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def marlin_padded_nk(n: int, k: int, group: int) -> tuple:
    """Marlin needs (n % 64, k % 128) or (n % 128, k % 64); the cheaper padding wins (as vLLM chooses)."""
    up = lambda v, m: -(-v // m) * m  # noqa: E731
    candidates = ((up(n, 64), up(k, math.lcm(128, group))), (up(n, 128), up(k, math.lcm(64, group))))
    return min(candidates, key=lambda nk: (nk[0] * nk[1], nk[0] + nk[1]))


def _scale_perm() -> list:
    return [i + 8 * j for i in range(8) for j in range(8)]


def prepare(module, weight: torch.Tensor, scale: torch.Tensor, block_size=(128, 128)) -> Callable[[torch.Tensor], torch.Tensor]:
    """Marlin inputs for one layer, as vLLM prepares them; returns ``apply(x) -> y`` (bf16 x)."""
    n, k = weight.shape
    block_n, block_k = block_size
    padded_n, padded_k = marlin_padded_nk(n, k, block_k)
    qweight = weight.contiguous().view(torch.int32).T.contiguous()  # [K/4, N]: 4 fp8 per int32 along K
    qweight = torch.nn.functional.pad(qweight, (0, padded_n - n, 0, (padded_k - k) // 4))
    marlin_weight = module.repack(qweight, padded_k, padded_n)
    scales = scale.to(torch.bfloat16).T.repeat_interleave(block_n, 1)[:, :n]  # [K/128, N]
    scales = torch.nn.functional.pad(scales, (0, padded_n - n, 0, padded_k // block_k - scales.shape[0]))
    scales = scales.reshape(-1, 64)[:, _scale_perm()].reshape(-1, padded_n).contiguous()
    scales = scales * (2.0 ** 120)  # fp8 -> bf16 exponent bias, folded into the scales
    sms = torch.cuda.get_device_properties(weight.device).multi_processor_count
    workspace = torch.zeros(sms, dtype=torch.int32, device=weight.device)
    c_tmp = torch.empty(sms * 64 * 256, dtype=torch.float32, device=weight.device)

    def apply(x: torch.Tensor) -> torch.Tensor:
        if padded_k != k:
            x = torch.nn.functional.pad(x, (0, padded_k - k))
        y = module.gemm(x, marlin_weight, scales, workspace, c_tmp, padded_n, padded_k)
        return y[:, :n] if padded_n != n else y

    return apply


def vllm_apply(weight: torch.Tensor, scale: torch.Tensor, block_size=(128, 128)):
    """The same through vLLM's own Python path, when ``vllm`` is importable; else None."""
    try:
        from vllm.model_executor.layers.quantization.utils.marlin_utils import marlin_make_workspace_new
        from vllm.model_executor.layers.quantization.utils.marlin_utils_fp8 import (apply_fp8_marlin_linear,
                                                                                    prepare_fp8_layer_for_marlin)
    except ImportError:
        return None
    layer = torch.nn.Module()
    n, k = weight.shape
    layer.weight = torch.nn.Parameter(weight, requires_grad=False)
    layer.weight_scale_inv = torch.nn.Parameter(scale, requires_grad=False)
    layer.weight_block_size = list(block_size)
    layer.output_size_per_partition, layer.input_size_per_partition = n, k
    layer.orig_dtype = torch.bfloat16
    prepare_fp8_layer_for_marlin(layer, size_k_first=False)
    workspace = marlin_make_workspace_new(weight.device)
    return lambda x: apply_fp8_marlin_linear(x, layer.weight, layer.weight_scale_inv, workspace, n, k, None)
