"""Item search text: the words an item can be found by (its name, its aliases, its
category's name and aliases), folded so that case, accents and plural endings do not
matter. Stored on the item (`Item.search_text`) when it is saved, so that a search is one
query whatever the catalog's size. Names in every language are in it (hub.translated), so
"manta" finds the Blanket and "कंबल" does too; words of any script count, their marks (a
Devanagari vowel sign) as part of the word."""

import unicodedata

# Spanish plurals in -es after these consonants (pañales, jabones, colchones, mujeres);
# English ones after s, x, z, ch, sh (boxes, toothbrushes, glasses).
ES_AFTER = ("l", "n", "r", "d", "j", "s", "x", "z", "ch", "sh")


def fold(text: str) -> str:
    """Lower case without accents: "Pañal Cobijón" -> "panal cobijon"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def singular(word: str) -> str:
    """The word without an English or Spanish plural ending (-ies, -es, -s); short words
    (gas, bus) are left alone."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(ES_AFTER):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _in_word(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def words(text: str) -> list[str]:
    found: list[str] = []
    word = ""
    for char in fold(text) + " ":
        if _in_word(char):
            word += char
        elif word:
            found.append(word)
            word = ""
    return found


def search_text(*parts: str) -> str:
    """Each word and its singular, every one after a space, so that " blanket" finds the
    beginning of a word with a plain LIKE."""
    found: list[str] = []
    for word in words(" ".join(parts)):
        for form in (word, singular(word)):
            if form not in found:
                found.append(form)
    return "".join(f" {form}" for form in found)


def query_terms(query: str) -> list[str]:
    """What each typed word must begin a word of the search text with."""
    return [f" {singular(word)}" for word in words(query)]
