"""Reading self-censored words against lexicon entries."""

import pytest

from policies.masks import fits, masked_words
from policies.normalize import Normalizer

normalize = Normalizer()


def cells(text: str) -> tuple:
    (word,) = masked_words(normalize(text))
    return word.cells


@pytest.mark.parametrize(
    ("text", "body", "root", "kind"),
    [
        ("х*й", "хуй", 0, "exact"),
        ("п***ц", "пиздец", 0, "exact"),  # a long run hides about as many letters as it has
        ("е*аные", "еб", 0, "stem"),  # the entry ends among the hidden letters
        ("за*бали", "заеб", 2, "root"),  # a visible letter of the root after the prefix
        ("распи*дяй", "пизд", 0, "part"),
        ("бл..ть", "блять", 0, "exact"),
    ],
)
def test_hidden_letters_fit_an_entry(text: str, body: str, root: int, kind: str) -> None:
    assert fits(cells(text), body, root, kind)


@pytest.mark.parametrize(
    ("text", "body", "root", "kind"),
    [
        ("п*ста", "пидр", 0, "stem"),  # one star is one letter, not three
        ("на...ну", "нахер", 0, "stem"),  # more hidden letters than visible ones
        ("не...знаю", "не" + "еб", 2, "root"),  # only the prefix is visible
        ("pandas...nвот", "shit", 0, "part"),  # anywhere inside: two visible letters of the entry
    ],
)
def test_a_stretch_does_not_fit(text: str, body: str, root: int, kind: str) -> None:
    assert not fits(cells(text), body, root, kind)


def test_only_words_hiding_letters_between_letters_are_masked() -> None:
    assert masked_words(normalize("Ну да! Так и знал...")) == []
    assert masked_words(normalize("*важно* прочитайте")) == []
    assert [w.cells[0] for w in masked_words(normalize("ну п@здец"))] == ["п"]
