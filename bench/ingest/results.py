"""What a run finds: one pass of polling, the query groups, the sampling profiler's shares,
and the whole report that report.py writes out."""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Pass:
    """One worker polling until a poll takes in nothing."""

    messages: int = 0  # mails the polls went through (taken in + duplicates + oversized)
    taken_in: int = 0
    duplicates: int = 0
    oversized: int = 0
    polls: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.taken_in / self.seconds if self.seconds else 0.0

    @property
    def seen_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


@dataclass
class QueryGroup:
    label: str
    shape: str
    count: int = 0
    seconds: float = 0.0


@dataclass
class Sampled:
    """What the StackSampler found, in milliseconds per mail."""

    states: list[tuple[str, float]]
    areas: list[tuple[str, float, float]]  # label, wall, of it Python running
    packages: list[tuple[str, float]]
    seconds: float
    taken: int

    @property
    def rate(self) -> float:
        return self.taken / self.seconds if self.seconds else 0.0


@dataclass
class Report:
    args: argparse.Namespace
    facts: dict[str, str]
    warmup: int
    warmup_pass: Pass
    sample_kinds: Counter
    main_kinds: Counter
    copies: int
    delivered: int  # every mail delivered in the run, copies and warm-up included
    delivery_seconds: float  # the timed batch only
    delivery_messages: int
    main: Pass
    sample_taken: int
    sample_seconds: float
    queries: list[QueryGroup]
    query_total: int
    transactions: dict[str, int]
    commit_ms: float
    statuses: dict[str, int]
    expected_statuses: dict[str, int]
    records: int
    unique_delivered: int
    tickets: int
    server_total: int
    server_unseen: int
    repoll: Pass
    repoll_new_records: int
    repoll_new_tickets: int
    auto_responses: int
    timed_auto_responses: int
    profile: str = ""
    profile_areas: list[tuple[str, float]] = field(default_factory=list)
    profile_seconds: float = 0.0
    sampled: Sampled | None = None
    problems: list[str] = field(default_factory=list)
