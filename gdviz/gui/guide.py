"""Help → Getting started: what each panel shows and what to try first (shown once on first launch)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

SHOWN_KEY = "help/getting_started_shown"

GUIDE_HTML = """
<h2>Getting started with gdviz</h2>
<p>gdviz runs the TensorFlow tutorial's plane fit <b>y = W·x + b</b> (the data come from
W = [0.1, 0.2], b = 0.3) and lets you watch every step of gradient descent.</p>
<h3>What you see</h3>
<ul>
<li><b>Data space (3D)</b>: the 100 points, the fitted plane (blue) and the true one (grey). Drag to orbit.</li>
<li><b>Parameter space</b>: the loss over (W1, W2, b), the path the optimizer takes, and arrows for the
gradient and the momentum. Click anywhere to start from there.</li>
<li><b>Loss curve</b>: the loss after each step (tick <i>log y</i> to see it fall over many decades).</li>
<li><b>Computation graph</b>: every node of the model with its value and its gradient (∇). The nodes
<code>tf.gradients</code> and the optimizer added are folded into the boxes <b>▸ gradients</b> and
<b>▸ GradientDescent</b> (or Momentum, Adam), which show ∇W, ∇b and the optimizer's state:
double-click one to unfold it, <b>G</b> unfolds all. Hover any box for its full value.
<b>Run → Animate backward pass</b> (Ctrl+B) walks through <code>tf.gradients</code> node by node.</li>
<li><b>Controls</b> (left): play, step, reset, speed, optimizer, learning rate, grad_ys, stop_gradients.</li>
<li>Tabs <b>Playground</b> (write your own <code>tf.gradients</code> call) and <b>Race</b>
(optimizers side by side).</li>
</ul>
<h3>Try first</h3>
<ol>
<li><b>The tutorial's two programs.</b> Press <b>Step</b> a few times, then switch <i>Update mode</i> to
<i>Manual gradients</i>: the numbers are identical. The Race tab's preset shows it at every step.</li>
<li><b>A learning rate that is too large.</b> Set the learning rate to 0.7 and press Play: the loss
explodes. The Parameter space tab says why: GD is stable only below 2/λmax ≈ 0.615 on this data.</li>
<li><b>stop_gradients at MatMul.</b> Choose <i>Manual gradients</i>, tick <i>MatMul</i> under stop_gradients:
W stops learning (its gradient is cut), b still learns.</li>
<li><b>grad_ys.</b> Set grad_ys to 2: every gradient doubles, like doubling the learning rate. Set it to −1:
the loss grows — gradient <i>ascent</i>.</li>
<li><b>Momentum.</b> Choose Momentum and open the Parameter space: the purple arrow is the velocity carried
over, the red one the new gradient; together they make the next step.</li>
</ol>
<p>Keys: Space play/pause · → one step · R reset · Ctrl+B backward pass · Alt+←/→ time travel.</p>
"""


class GuideDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Getting started")
        self.text = QTextBrowser()
        self.text.setHtml(GUIDE_HTML)
        self.text.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
        self.resize(640, 620)
