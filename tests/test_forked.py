"""The forked batch runner of parallel runs: every batch's result, in order, whoever ran it."""

import os
import time

import pytest

from platform_skills import engine, forked
from platform_skills.registry import INDEX, Selection
from support import write_tree

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_results_come_back_in_batch_order_from_both_processes():
    def work(index):
        time.sleep(0.01)  # long enough for the child to take some batches
        return index * index, os.getpid()

    results = forked.run(40, work, 2)
    assert [value for value, _ in results] == [i * i for i in range(40)]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2


def test_a_child_that_dies_costs_time_not_results():
    parent = os.getpid()

    def work(index):
        if os.getpid() != parent:
            os._exit(9)  # a child killed mid-run: its batches never report
        return -index

    assert forked.run(12, work, 3) == [-i for i in range(12)]


def test_a_child_whose_result_cannot_be_sent_is_run_again_here():
    parent = os.getpid()

    def work(index):
        return (lambda: index) if os.getpid() != parent else index  # a lambda does not pickle

    assert forked.run(10, work, 2) == list(range(10))


def test_without_a_process_to_spare_the_parent_runs_every_batch(monkeypatch):
    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # what fork raises at a limit

    monkeypatch.setattr(os, "fork", refuse)
    assert forked.run(5, lambda i: i + 1, 2) == [1, 2, 3, 4, 5]


def test_no_child_is_left_behind():
    forked.run(6, lambda i: i, 3)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize("count", [0, forked.MAX_BATCHES + 1])
def test_batch_count_is_bounded(count):
    with pytest.raises(ValueError):
        forked.run(count, lambda i: i, 2)


def test_where_processes_cannot_fork_a_spawned_pool_finds_the_same(tmp_path, monkeypatch):
    workflow = ("on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - uses: actions/checkout@v4\n")
    write_tree(tmp_path, {f".github/workflows/w{i:03}.yml": workflow
                          for i in range(engine.PARALLEL_MIN_FILES)})
    rules = Selection(list(INDEX))
    forked_run = engine.run([str(tmp_path)], rules, jobs=2)
    monkeypatch.delattr(os, "fork")
    spawned = engine.run([str(tmp_path)], rules, jobs=2)
    assert len(forked_run.findings) == engine.PARALLEL_MIN_FILES
    assert [(f.rule.id, f.path, f.line) for f in spawned.findings] == \
        [(f.rule.id, f.path, f.line) for f in forked_run.findings]
