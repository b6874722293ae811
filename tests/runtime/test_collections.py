"""`array` and `map` (language.md §6.5, §6.6, §0 #32)."""

from __future__ import annotations

from haira.stdlib import array
from haira.stdlib import map as hmap


def test_array_access() -> None:
    assert array.len_([1, 2]) == 2 and array.len_(None) == 0
    assert array.is_empty([]) and not array.is_empty([0])
    assert array.first([]) is None and array.first([1, 2]) == 1
    assert array.last([]) is None and array.last([1, 2]) == 2
    assert array.get([1, 2], 1) == 2
    assert array.get([1, 2], 2) is None and array.get([1, 2], -1) is None


def test_array_building_does_not_mutate() -> None:
    xs = [1, 2, 3]
    assert array.push(xs, 4) == [1, 2, 3, 4]
    assert array.pop(xs) == ([1, 2], 3)
    assert array.pop([]) == ([], None)
    assert array.insert(xs, 1, 9) == [1, 9, 2, 3]
    assert array.insert(xs, -5, 0) == [0, 1, 2, 3]
    assert array.insert(xs, 99, 4) == [1, 2, 3, 4]
    assert array.remove(xs, 1) == [1, 3]
    assert array.remove(xs, 7) is xs
    assert array.slice(xs, 1, 99) == [2, 3]
    assert array.slice(xs, 2, 1) == []
    assert array.take(xs, 2) == [1, 2] and array.take(xs, -1) == []
    assert array.drop(xs, 2) == [3] and array.drop(xs, 9) == []
    assert array.reverse(xs) == [3, 2, 1]
    assert array.concat(xs, [4]) == [1, 2, 3, 4]
    assert xs == [1, 2, 3]


def test_array_compares_by_v_text() -> None:
    assert array.contains([1, 2], "2")
    assert not array.contains([1, 2], 3)
    assert array.index_of(["a", 1.0], "1") == 1
    assert array.index_of([], 1) == -1
    assert array.unique([1, "1", 2, 1]) == [1, 2]
    assert array.sort([10, 9, 2]) == [10, 2, 9]
    assert array.sort(["b", "a", "C"]) == ["C", "a", "b"]
    assert array.flatten([1, [2, [3]], []]) == [1, 2, [3]]
    assert array.join([1, None, "x"], ",") == "1,,x"


def test_array_higher_order() -> None:
    assert array.map([3, 1, 2], lambda x: x * 2) == [6, 2, 4]
    assert array.filter([1, 2, 3, 4], lambda x: x % 2 == 0) == [2, 4]
    assert array.filter([0, 1, "", "a", None], lambda x: x) == [1, "a"]
    assert array.reduce([1, 2, 3], lambda acc, x: acc + x, 0) == 6
    assert array.find([1, 2, 3], lambda x: x > 1) == 2
    assert array.find([1], lambda x: x > 5) is None
    assert array.find_index([1, 2, 3], lambda x: x == 3) == 2
    assert array.find_index([1], lambda x: False) == -1
    assert array.sort_by(["bb", "a", "ccc"], lambda s: len(s)) == ["a", "bb", "ccc"]
    assert array.sort_by([3, 1, 2], lambda x: 0) == [3, 1, 2]
    assert array.every([2, 4], lambda x: x % 2 == 0) and array.every([], lambda x: False)
    assert array.some([1, 2], lambda x: x == 2) and not array.some([], lambda x: True)
    seen: list[int] = []
    array.for_each([1, 2], seen.append)
    assert seen == [1, 2]
    assert array.flat_map([1, 2], lambda x: [x, x]) == [1, 1, 2, 2]
    assert array.flat_map([1], lambda x: x) == [1]


def test_map_functions_keep_insertion_order() -> None:
    m: dict[str, object] = {"b": 1}
    assert hmap.set(m, "a", 2) is m
    hmap.set(m, "b", 3)
    assert hmap.keys(m) == ["b", "a"]
    assert hmap.values(m) == [3, 2]
    assert hmap.entries(m) == [["b", 3], ["a", 2]]
    hmap.remove(m, "b")
    hmap.set(m, "b", 4)
    assert hmap.keys(m) == ["a", "b"]
    assert hmap.remove(m, "zz") is m
    assert hmap.get(m, "a") == 2 and hmap.get(m, "q") is None
    assert hmap.has(m, "a") and not hmap.has(m, "q")
    assert hmap.len_(m) == 2 and hmap.len_(None) == 0
    assert hmap.is_empty({}) and not hmap.is_empty(m)
    merged = hmap.merge({"a": 1, "b": 2}, {"b": 3, "c": 4})
    assert list(merged.items()) == [("a", 1), ("b", 3), ("c", 4)]
    assert hmap.contains_value({"k": 1}, "1")
    assert not hmap.contains_value({"k": 1}, 2)


def test_nil_collections_behave_as_empty() -> None:
    assert array.push(None, 1) == [1]
    assert array.map(None, lambda x: x) == []
    assert array.first(None) is None and array.sort(None) == [] and array.join(None, ",") == ""
    assert hmap.keys(None) == [] and hmap.values(None) == [] and hmap.entries(None) == []
    assert hmap.get(None, "k") is None and not hmap.has(None, "k")
    assert hmap.merge(None, {"a": 1}) == {"a": 1}
    assert not hmap.contains_value(None, 1)
