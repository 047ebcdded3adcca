"""exp184: v75's tile split (v74's bounded by WIDE_SPLIT_K_TILES = 6 K-tiles a split past half the SMs) against
v73's on layers neither exp181 nor exp183 timed (exp183's method: ``exp183.compare``); every other tile point of these
layers printed as unchanged."""
from exp183 import compare

LAYERS = ((384, 10240), (640, 8192), (256, 12288), (448, 6144), (320, 5120), (384, 4096), (192, 8192), (704, 7168),
          (512, 9216), (1024, 12288), (832, 6144), (256, 5632))

if __name__ == "__main__":
    compare(LAYERS, "v75", show_unchanged=LAYERS)
