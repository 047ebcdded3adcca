"""FP8 layer shapes: the DeepSeek models shipped in the package (``fp8blk/data``), or any file in that schema.

The schema (``--shapes FILE.json``)::

    {"sources": "where the shapes come from",
     "models": {"<model>": {"config": {"num_hidden_layers": L},
                            "layers": [{"name": "attn.wq_a", "N": 1024, "K": 4096, "groups": 1, "count": L,
                                        "input": "hidden"}, ...]}}}

``groups`` (default 1) and ``input`` (optional: layers naming the same input run fused, as one launch, in the
decoder-layer graph) may be left out; ``count`` is how many such layers the whole model has.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Dict, List, Optional, Union

MODELS = ("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v3")
DEFAULT_MS = (1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 1024, 2048, 4096, 8192)


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
    input: Optional[str] = None  # layers of one model with the same input can run as one fused launch

    @property
    def per_decoder_layer(self) -> float:
        """How many GEMMs of this shape one decoder layer runs (groups counted, partial counts averaged)."""
        return self.groups * self.count / self.num_layers


def read_shapes_file(path: Optional[Union[str, Path]] = None) -> Dict:
    """The packaged shapes file (``fp8blk/data/deepseek_v4_shapes.json``, via importlib.resources) or ``path``."""
    if path is None:
        text = resources.files("fp8blk").joinpath("data/deepseek_v4_shapes.json").read_text()
    else:
        text = Path(path).read_text()
    data = json.loads(text)
    if not isinstance(data.get("models"), dict) or not data["models"]:
        raise ValueError(f"{path or 'packaged shapes'}: expected a 'models' object with at least one model")
    for name, entry in data["models"].items():
        layers = entry.get("layers") if isinstance(entry, dict) else None
        if not layers or not isinstance(entry.get("config", {}).get("num_hidden_layers"), int):
            raise ValueError(f"{path}: model {name!r} needs 'layers' and config.num_hidden_layers")
        for layer in layers:
            if not all(isinstance(layer.get(key), int) and layer[key] > 0 for key in ("N", "K", "count")) \
                    or not isinstance(layer.get("name"), str) or int(layer.get("groups", 1)) < 1:
                raise ValueError(f"{path}: model {name!r}: each layer needs a name and positive integers N, K, count "
                                 f"(and groups >= 1), found {layer}")
    return data


def model_names(path: Optional[Union[str, Path]] = None) -> List[str]:
    return list(read_shapes_file(path)["models"])


def load_shapes(model: str = "all", path: Optional[Union[str, Path]] = None) -> List[LayerShape]:
    """The layers of one model (or of ``all``) of the packaged file or of ``path``, in the file's order."""
    data = read_shapes_file(path)
    names = list(data["models"]) if model == "all" else [model]
    shapes = []
    for name in names:
        if name not in data["models"]:
            raise ValueError(f"unknown model {name!r}; known: {', '.join(data['models'])}")
        entry = data["models"][name]
        num_layers = entry["config"]["num_hidden_layers"]
        for layer in entry["layers"]:
            shapes.append(LayerShape(name, layer["name"], layer["N"], layer["K"], int(layer.get("groups", 1)),
                                     layer["count"], num_layers, layer.get("input")))
    return shapes


def sources(path: Optional[Union[str, Path]] = None) -> str:
    return read_shapes_file(path).get("sources", str(path))
