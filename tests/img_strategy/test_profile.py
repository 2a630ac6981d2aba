from __future__ import annotations

import pytest

from img_strategy.parsing import Exam
from img_strategy.profile import LabelledEnum, Visa


def test_a_labelled_member_is_its_plain_value_and_carries_its_label():
    assert Visa("j1") is Visa.J1 and Visa.J1 == "j1" and Visa.J1.value == "j1"
    assert Visa.EITHER.label == "J-1 or H-1B"
    assert Exam("step2").label == "Step 2 CK"
    assert all(isinstance(member.label, str) and member.label for member in [*Visa, *Exam])


def test_a_member_without_a_label_is_refused_when_the_enum_is_defined():
    with pytest.raises(TypeError):

        class Unlabelled(LabelledEnum):
            ONLY = "only"
