import pytest

from nominations.identifiers import (
    id_number_problems,
    make_id_number,
    mask_id_number,
    org_code_check_char,
    uscc_check_char,
    uscc_problems,
)


@pytest.mark.parametrize("code", ["914403001922038216", "9144030071526726XG", "91310115MA1H7K3P06"])
def test_uscc_valid_codes_pass(code):
    assert uscc_problems(code) == []


def test_uscc_check_char_matches_worked_example():
    assert uscc_check_char("91310115MA1H7K3P0") == "6"
    assert org_code_check_char("MA1H7K3P") == "0"  # M is 22 here, 21 in the credit-code set


def test_uscc_wrong_check_char_names_the_expected_one():
    assert uscc_problems("914403001922038217") == ["统一社会信用代码校验位错误：按 GB 32100 计算应为“6”，实为“7”。"]


def test_uscc_legacy_pilot_code_fails_the_check():
    assert uscc_problems("91350100M0001TGQXM")[0].startswith("统一社会信用代码校验位错误")


@pytest.mark.parametrize("code,fragment", [
    ("91440300192203821", "应为18位"),
    ("9144030019220382I6", "不允许的字符"),
    ("91AB030019220382I6", "不允许的字符"),
])
def test_uscc_malformed(code, fragment):
    assert fragment in uscc_problems(code)[0]


def test_uscc_lowercase_is_normalised():
    assert uscc_problems("9144030071526726xg") == []


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_id_number_valid(number):
    assert id_number_problems(number) == []


def test_id_number_wrong_check_digit():
    assert id_number_problems("110105194912310021") == ["身份证号码校验位错误：应为“X”，实为“1”。"]


def test_id_number_impossible_birth_date():
    assert id_number_problems(make_id_number("11010519490231002")) == ["身份证号码中的出生日期无效。"]


def test_id_number_masked_keeps_area_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
