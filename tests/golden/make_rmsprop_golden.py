"""Make ``rmsprop_momentum.json`` with real TensorFlow (TF1 graph mode).

NOT run by the tests (TensorFlow is no dependency of gdviz): run it by hand with a Python that
has TensorFlow, from the repository root::

    python tests/golden/make_rmsprop_golden.py

It fits the tutorial's plane (``make_plane_data(100, 0, seed=0)``'s points and gdviz's seed-0
initial W, redrawn here with the same numpy calls) with ``tf.train.RMSPropOptimizer(lr,
momentum=m)`` and stores W and b after each checkpoint step, for m = 0.0 and 0.9.
"""

import json
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

LR, DECAY, EPS = 0.01, 0.9, 1e-10
CHECKPOINTS = (1, 2, 10, 50, 200)


def tutorial_data(seed=0, points=100):
    rng = np.random.default_rng(seed)                     # as gdviz.training.data.make_plane_data
    x = rng.random((2, points)).astype(np.float32)
    y = np.dot([0.1, 0.2], x) + 0.3
    W0 = np.random.default_rng(seed).uniform(-1.0, 1.0, (1, 2)).astype(np.float32)  # as PlaneFit
    return x, y, W0


def run(momentum, mode):
    x, y_data, W0 = tutorial_data()
    g = tf.Graph()
    with g.as_default():
        b = tf.Variable(tf.zeros([1]), name="b")
        W = tf.Variable(W0, name="W")
        y = tf.matmul(W, x) + b
        loss = tf.reduce_mean(tf.square(y - y_data.astype(np.float32)))
        opt = tf.train.RMSPropOptimizer(LR, decay=DECAY, momentum=momentum, epsilon=EPS)
        if mode == "optimizer":
            train = opt.minimize(loss)
        else:  # tf.gradients + apply_gradients: the same kernel fed by hand-taken gradients
            train = opt.apply_gradients(zip(tf.gradients(loss, [W, b]), [W, b]))
        out = {}
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(1, max(CHECKPOINTS) + 1):
                sess.run(train)
                if step in CHECKPOINTS:
                    Wv, bv = sess.run([W, b])
                    out[str(step)] = {"W": Wv.ravel().tolist(), "b": bv.ravel().tolist()}
    return out


def main():
    golden = {"tensorflow": tf.__version__, "lr": LR, "decay": DECAY, "epsilon": EPS,
              "data": "make_plane_data(100, 0.0, seed=0), PlaneFit init_seed=0",
              "W0": tutorial_data()[2].ravel().tolist(),
              "runs": {str(m): run(m, "optimizer") for m in (0.0, 0.9)}}
    assert run(0.9, "manual") == golden["runs"]["0.9"]
    path = Path(__file__).with_name("rmsprop_momentum.json")
    path.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
