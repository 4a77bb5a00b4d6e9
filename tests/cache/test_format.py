"""The cache-hit path reads and writes JSON and times without `json` and `datetime`: it must agree with them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsenv import jsonlite
from awsenv.cache.format import TIME_FORMAT, epoch_seconds

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
scalars = st.none() | st.booleans() | st.integers() | st.text()
documents = st.recursive(scalars | st.floats(allow_nan=False),
                         lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(st.dictionaries(st.text(), scalars), st.booleans())
def test_flat_objects_are_written_as_json_dumps_writes_them(mapping, ensure_ascii):
    assert jsonlite.dumps_flat(mapping, ensure_ascii=ensure_ascii) == json.dumps(mapping, ensure_ascii=ensure_ascii)


@given(documents, st.sampled_from(["", " ", "\n", " \t\r\n"]))
def test_documents_are_read_as_json_loads_reads_them(document, space):
    text = space + json.dumps(document) + space
    assert jsonlite.loads(text) == json.loads(text)
    assert jsonlite.loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize("text", ["", " ", "{", '{"a": 1} x', "[1,]", "nul", '"\x01"', "{'a': 1}", "1 2", "\ufeff{}"])
def test_what_json_loads_refuses_is_refused(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        jsonlite.loads(text)


def test_a_value_json_cannot_hold_flat_is_a_type_error():
    with pytest.raises(TypeError):
        jsonlite.dumps_flat({"a": 1.5})
    with pytest.raises(TypeError):
        jsonlite.dumps_flat({1: "a"})


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)))
def test_times_read_back_to_the_second(moment):
    moment = moment.replace(microsecond=0, tzinfo=timezone.utc)
    assert epoch_seconds(moment.strftime(TIME_FORMAT)) == (moment - EPOCH) // timedelta(seconds=1)


@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z"))
def test_a_time_is_read_exactly_when_datetime_reads_it(text):
    try:
        moment = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        assert epoch_seconds(text) is None
    else:
        assert epoch_seconds(text) == (moment - EPOCH) // timedelta(seconds=1)


@pytest.mark.parametrize("text", ["2030-01-01T00:00:00", "2030-01-01T00:00:00+00:00", "2030-01-01T00:00:00.5Z",
                                  "2030-02-30T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01 00:00:00Z",
                                  "２０３０-01-01T00:00:00Z", "", None, 1893456000])
def test_any_other_time_is_none(text):
    assert epoch_seconds(text) is None
