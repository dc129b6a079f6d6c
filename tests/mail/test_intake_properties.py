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
