"""The validated grad_ys field: red with a reason on bad input, last valid value kept."""

import numpy as np

from gdviz.gui.widgets.literal_edit import LiteralEdit


def test_valid_text_emits_the_parsed_value(qtbot):
    edit = LiteralEdit(1.0, expected_shape=(1, 2))
    qtbot.addWidget(edit)
    with qtbot.waitSignal(edit.value_changed) as blocker:
        edit.setText("[[1, 2]]")
    np.testing.assert_array_equal(blocker.args[0], [[1, 2]])
    assert edit.is_valid() and edit.error_text() == ""


def test_typo_turns_red_and_keeps_last_valid_value(qtbot):
    edit = LiteralEdit(2.0, expected_shape=())
    qtbot.addWidget(edit)
    emitted = []
    edit.value_changed.connect(emitted.append)
    qtbot.keyClicks(edit, "x")  # "2x"
    assert not edit.is_valid()
    assert "column" in edit.error_text()
    assert "ffe0e0" in edit.styleSheet()
    assert edit.value() == 2.0
    assert emitted == []
    assert "Still using: 2" in edit.toolTip()


def test_wrong_shape_is_rejected_with_both_shapes(qtbot):
    edit = LiteralEdit(1.0, expected_shape=(1, 1))
    qtbot.addWidget(edit)
    edit.setText("[1, 2]")
    assert not edit.is_valid()
    assert "(2,)" in edit.error_text() and "(1, 1)" in edit.error_text()
    np.testing.assert_array_equal(edit.value(), 1.0)


def test_scalar_is_accepted_for_any_shape_and_recovers_validity(qtbot):
    edit = LiteralEdit(1.0, expected_shape=(2,))
    qtbot.addWidget(edit)
    edit.setText("[")
    with qtbot.waitSignal(edit.validity_changed) as blocker:
        edit.setText("3")
    assert blocker.args == [True]
    assert edit.is_valid() and edit.styleSheet() == ""
    assert edit.value() == 3


def test_changing_expected_shape_revalidates(qtbot):
    edit = LiteralEdit(1.0, expected_shape=None)
    qtbot.addWidget(edit)
    edit.setText("[1, 2, 3]")
    assert edit.is_valid()
    edit.set_expected_shape((2,))
    assert not edit.is_valid()
    np.testing.assert_array_equal(edit.value(), [1, 2, 3])


def _placed(qtbot, edit):
    from PySide6.QtWidgets import QVBoxLayout, QWidget
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.addWidget(edit)
    layout.addWidget(edit.error_label)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    return box


import pytest  # noqa: E402


@pytest.mark.parametrize("text, words", [
    ("100000000000000000000", "int32 range"),
    ("[" * 2000, "nested too deeply"),
    ("1e39", "float32 range"),
])
def test_bad_values_show_a_positioned_reason_in_a_visible_label(qtbot, text, words):
    edit = LiteralEdit(1.0, expected_shape=None)
    box = _placed(qtbot, edit)  # keep the container (and so the label) alive
    assert not edit.error_label.isVisible()
    edit.setText(text)  # an exception out of the slot would fail the test (pytest-qt)
    assert not edit.is_valid()
    assert "ffe0e0" in edit.styleSheet()
    qtbot.waitUntil(edit.error_label.isVisible)
    assert words in edit.error_label.text() and "column" in edit.error_label.text()
    assert float(edit.value()) == 1.0
    edit.setText("2")
    qtbot.waitUntil(lambda: not edit.error_label.isVisible())
    assert edit.is_valid() and float(edit.value()) == 2.0
    box.close()
