import os, sys
import fp8blk.kernels  # noqa
km = sys.modules["fp8blk.kernels.fp8_block_matmul"]
if os.environ.get("EVEN") == "1":
    orig = km._constexprs
    def even(*a, **kw):
        d = orig(*a, **kw)
        if "EVEN_TILES" in d:
            d["EVEN_TILES"] = True
        return d
    km._constexprs = even
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "loop.py")).read())
