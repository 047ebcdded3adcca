from setuptools import setup

setup(
    name="fp8blk",
    version="0.1.0",
    description="FP8 block-quantized linear layers: a Triton W8A16 GEMM, a loader for every checkpoint convention, "
                "and a benchmark harness against vLLM's Marlin FP8 path.",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=["fp8blk", "fp8blk.integrations", "fp8blk.kernels", "fp8blk.bench"],
    package_dir={"fp8blk.kernels": "kernels", "fp8blk.bench": "benchmarks"},
    package_data={"fp8blk": ["data/*.json"], "fp8blk.kernels": ["*.json", "README.md"]},
    install_requires=["torch>=2.7", "triton>=3.4", "safetensors>=0.5",
                      # numpy 2.4 breaks the Triton 3.6 interpreter (loop bounds become 1-element arrays)
                      "numpy<2.4"],
    extras_require={
        "test": ["pytest", "pytest-benchmark", "hypothesis"],
        "bench": ["matplotlib"],
    },
    entry_points={"console_scripts": ["fp8blk=fp8blk.cli:main"]},
)
