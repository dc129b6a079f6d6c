"""Property: whatever bytes arrive, the intake records them and never raises."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mail.mails import mail
from tickets.mail.intake import inbound_receive
from tickets.models import InboundEmail

VALID = mail(subject="Printer [#1000] shows E-042", body="Hello\r\n> quoted\r\n")


def mutated(data: st.DataObject) -> bytes:
    raw = bytearray(VALID)
    for _ in range(data.draw(st.integers(0, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    return bytes(raw[:cut])


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_mail_is_recorded_and_never_raises(data, department):
    raw = data.draw(st.one_of(st.binary(max_size=2000), st.just(b"").map(lambda _: mutated(data))))
    if not raw:
        raw = b"\x00"

    result = inbound_receive(raw=raw, channel="webhook", mailbox=None)

    assert result.inbound.pk is not None
    assert result.inbound.status != InboundEmail.Status.RECEIVED
    assert InboundEmail.objects.filter(raw_sha256=result.inbound.raw_sha256).count() == 1


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_batch_of_random_and_mutated_mail_is_recorded_once_each_and_never_raises(
    data, department
):
    from tickets.mail.intake import IncomingMail, inbound_receive_many, raw_digest

    raws = data.draw(
        st.lists(
            st.one_of(
                st.binary(min_size=1, max_size=500),
                st.just(b"").map(lambda _: mutated(data)),
                st.just(VALID),  # the same mail more than once in a batch
            ),
            min_size=1,
            max_size=8,
        )
    )

    results = inbound_receive_many(
        mails=[IncomingMail(raw=raw) for raw in raws], channel="webhook", mailbox=None
    )

    assert len(results) == len(raws)
    assert None not in {result.inbound.pk for result in results}
    # Examples share the test's database: earlier ones' mails come back as duplicates.
    for raw in set(raws):
        assert InboundEmail.objects.filter(raw_sha256=raw_digest(raw)).count() <= 1
    assert not InboundEmail.objects.filter(status=InboundEmail.Status.RECEIVED).exists()
    # Every mail of the batch is on record: by its own bytes, or as a copy of one that is.
    first_of = {}
    for raw, result in zip(raws, results, strict=True):
        if not result.duplicate:
            assert bytes(result.inbound.raw.read()) == raw
            first_of.setdefault(raw, result.inbound.pk)
    for raw, result in zip(raws, results, strict=True):
        if result.duplicate and raw in first_of:
            assert result.inbound.pk == first_of[raw]
