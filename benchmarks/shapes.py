"""DeepSeek FP8 layer shapes, from the JSON shipped in ``fp8blk/data`` (its ``sources`` line says where they come from)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import List

SHAPES_FILE = Path(__file__).resolve().parent.parent / "fp8blk" / "data" / "deepseek_v4_shapes.json"
MODELS = ("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v3")
DEFAULT_MS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)


@dataclass(frozen=True)
class LayerShape:
    """One FP8 linear layer: ``N`` out features, ``K`` in features, ``groups`` (wo_a) and how many per model."""
    model: str
    layer: str
    n: int
    k: int
    groups: int
    count: int
    num_layers: int  # decoder layers of the model

    @property
    def per_decoder_layer(self) -> float:
        """How many GEMMs of this shape one decoder layer runs (groups counted, partial counts averaged)."""
        return self.groups * self.count / self.num_layers


def load_shapes(model: str = "all", path: Path = SHAPES_FILE) -> List[LayerShape]:
    """The layers of one model (or of ``all``), in the file's order."""
    data = json.loads(Path(path).read_text())
    names = MODELS if model == "all" else (model,)
    shapes = []
    for name in names:
        if name not in data["models"]:
            raise ValueError(f"unknown model {name!r}; known: {', '.join(data['models'])}")
        entry = data["models"][name]
        num_layers = entry["config"]["num_hidden_layers"]
        for layer in entry["layers"]:
            shapes.append(LayerShape(name, layer["name"], layer["N"], layer["K"], layer.get("groups", 1),
                                     layer["count"], num_layers))
    return shapes


def sources(path: Path = SHAPES_FILE) -> str:
    return json.loads(Path(path).read_text())["sources"]
