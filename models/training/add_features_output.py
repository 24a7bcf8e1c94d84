"""Give a bundled change model a `features` output for in-app adaptation (issue 14).

The adapter LandWatch fits on an analyst's decisions (electron/engine/adapt/) is a small per-pixel
head on features the base model already computes. This script adds one graph output, `features`,
[N, C, H/2, W/2], without touching any weight or any existing output:

  channel 0         the base model's change logit (classifier logit of "changed" minus "unchanged")
                    at 1/2 resolution: sigmoid(bilinear ×2 of it) is exactly the model's `prob`
  channels 1..16    the classifier's input (the refinement block's ReLU output)
  channels 17..40   the refinement block's input (decoder head upsampled to 1/2 + stem difference)
  channels 41..46   both dates as the model saw them (normalised RGB), 2×2 average-pooled

so a head initialised to weight 1 on channel 0 and 0 elsewhere reproduces the base model.
The card gains `outputs.features` and `features` (channels, stride, base-logit channel).

Usage: /usr/bin/python3 models/training/add_features_output.py models/lw-siamese-v1 [...]
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

OUTPUT = "features"


def add_features(folder: Path) -> None:
    card_path = folder / "card.json"
    card = json.loads(card_path.read_text())
    model = onnx.load(str(folder / card["file"]))
    graph = model.graph
    if any(o.name == OUTPUT for o in graph.output):
        print(f"{folder}: already has a features output")
        return
    inits = {i.name: i for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    classifier = next(
        n for n in graph.node if n.op_type == "Conv" and n.input[1] == "net.classifier.weight"
    )
    refine_out = classifier.input[0]
    refine_conv = producer[producer[refine_out].input[0]]
    pre_refine = refine_conv.input[0]
    w = numpy_helper.to_array(inits[classifier.input[1]])
    b = numpy_helper.to_array(inits[classifier.input[2]])
    diff_w = (w[1:2] - w[0:1]).astype(np.float32)  # [1, C, 1, 1]
    diff_b = (b[1:2] - b[0:1]).astype(np.float32)
    graph.initializer.extend(
        [
            numpy_helper.from_array(diff_w, "adapt.logit.weight"),
            numpy_helper.from_array(diff_b, "adapt.logit.bias"),
        ]
    )
    nodes = [
        helper.make_node(
            "Conv",
            [refine_out, "adapt.logit.weight", "adapt.logit.bias"],
            ["adapt/logit"],
            name="adapt/logit",
        ),
        helper.make_node(
            "AveragePool",
            [card["inputs"]["before"]],
            ["adapt/before2"],
            kernel_shape=[2, 2],
            strides=[2, 2],
            name="adapt/before2",
        ),
        helper.make_node(
            "AveragePool",
            [card["inputs"]["after"]],
            ["adapt/after2"],
            kernel_shape=[2, 2],
            strides=[2, 2],
            name="adapt/after2",
        ),
        helper.make_node(
            "Concat",
            ["adapt/logit", refine_out, pre_refine, "adapt/before2", "adapt/after2"],
            [OUTPUT],
            axis=1,
            name="adapt/features",
        ),
    ]
    graph.node.extend(nodes)
    graph.output.append(helper.make_tensor_value_info(OUTPUT, onnx.TensorProto.FLOAT, ["N", "C", "H2", "W2"]))
    onnx.checker.check_model(model)
    channels = 1 + w.shape[1] + refine_conv_in_channels(inits, refine_conv) + 2 * card["bands"]
    onnx.save(model, str(folder / card["file"]))
    card["outputs"]["features"] = OUTPUT
    card["features"] = {
        "channels": int(channels),
        "stride": 2,
        "baseLogitChannel": 0,
        "layout": "base change logit; classifier input; refinement input; before and after "
        "inputs 2x2 average-pooled (models/training/add_features_output.py)",
    }
    card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    print(f"{folder}: features output with {channels} channels at 1/2 resolution")


def refine_conv_in_channels(inits, conv) -> int:
    return int(numpy_helper.to_array(inits[conv.input[1]]).shape[1])


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        add_features(Path(arg))
