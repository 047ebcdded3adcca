"""exp180: the two points where the v73 harness ran slower than v72's (V4-Pro 3072x7168 M = 48 / 64, the tile
kernel's 64 x 64 tiles split 4: 0.957 / 0.962x) with exp179's three variants (two alternating rounds a call, each
point timed twice), beside two tile-split points that ran faster (1536x7168 M = 48, 4096x2048 M = 64)."""
import sys

import torch

import exp179

if __name__ == "__main__":
    print(torch.cuda.get_device_name(), torch.__version__, flush=True)
    for n, k, m in ((3072, 7168, 48), (3072, 7168, 64), (1536, 7168, 48), (4096, 2048, 64)) * 2:
        exp179.time_point(n, k, m)
    sys.exit(0)
