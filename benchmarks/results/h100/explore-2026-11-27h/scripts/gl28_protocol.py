"""A CPU model of gl28's barrier protocol (the interpreter cannot run Gluon): the three partitions as coroutines over
mbarriers with hardware phase-parity semantics, TMA copies and wgmma groups completing at random later times, run
under random schedules. Checks: no deadlock, every read sees the step it expects, no slot is overwritten while a
reader (the converter, or a wgmma in flight) still needs it."""
import itertools
import random


class Barrier:
    """count-1 mbarrier: a phase completes on one arrival (for TMA: the expect's arrival plus its bytes)."""

    def __init__(self):
        self.completed = 0

    def passes(self, parity):  # try_wait.parity: true once the phase of that parity has completed
        return self.completed % 2 != parity


class Slot:
    def __init__(self):
        self.step, self.consumed = None, True

    def write(self, step, what):
        assert self.consumed, f"{what}: step {step} overwrites step {self.step} before it was consumed"
        self.step, self.consumed = step, False

    def read(self, step, what):
        assert self.step == step, f"{what}: expected step {step}, found {self.step}"


def run(count, w_stages, x_stages, rng, release_lag=1, bf_stages=2):
    """One random schedule; ``release_lag`` 1 is gl28 (after each wait the previous step's operands are released),
    0 a broken variant that releases the step just issued (the model must catch it)."""
    w_ready, w_empty = [Barrier() for _ in range(w_stages)], [Barrier() for _ in range(w_stages)]
    x_ready, x_empty = [Barrier() for _ in range(x_stages)], [Barrier() for _ in range(x_stages)]
    bf_ready, bf_empty = [Barrier() for _ in range(bf_stages)], [Barrier() for _ in range(bf_stages)]
    w_ring, x_ring = [Slot() for _ in range(w_stages)], [Slot() for _ in range(x_stages)]
    bf = [Slot() for _ in range(bf_stages)]
    events = []  # async completions: (callable) run at a random later tick

    def tma(slot, step, barrier, what):
        def land():
            slot.write(step, what)
            barrier.completed += 1
        events.append(land)

    def load():
        for t in range(count):
            ws = t % w_stages
            yield lambda: w_empty[ws].passes(((t // w_stages) & 1) ^ 1)
            tma(w_ring[ws], t, w_ready[ws], "weight ring")
            xs = t % x_stages
            yield lambda: x_empty[xs].passes(((t // x_stages) & 1) ^ 1)
            tma(x_ring[xs], t, x_ready[xs], "x ring")

    def convert():
        for t in range(count):
            ws = t % w_stages
            yield lambda: w_ready[ws].passes((t // w_stages) & 1)
            w_ring[ws].read(t, "converter")
            w_ring[ws].consumed = True
            w_empty[ws].completed += 1
            b = t % bf_stages
            yield lambda: bf_empty[b].passes(((t // bf_stages) & 1) ^ 1)
            bf[b].write(t, "bf16 tile")
            bf_ready[b].completed += 1

    in_flight = []  # wgmma groups: (step, bf16 slot, x slot)

    def finish_group():
        step, b, xs = in_flight.pop(0)
        bf[b].read(step, "wgmma (bf16 tile)")
        x_ring[xs].read(step, "wgmma (x)")
        bf[b].consumed = x_ring[xs].consumed = True

    def mma():
        for t in range(count):
            b, xs = t % bf_stages, t % x_stages
            yield lambda: bf_ready[b].passes((t // bf_stages) & 1)
            yield lambda: x_ready[xs].passes((t // x_stages) & 1)
            bf[b].read(t, "wgmma issue (bf16 tile)")
            x_ring[xs].read(t, "wgmma issue (x)")
            in_flight.append((t, b, xs))
            while len(in_flight) > 1:  # warpgroup_mma_wait(1): the older groups finish (at a random point before)
                finish_group()
            if t >= release_lag:
                bf_empty[(t - release_lag) % bf_stages].completed += 1
                x_empty[(t - release_lag) % x_stages].completed += 1
        while in_flight:
            finish_group()

    partitions = [load(), convert(), mma()]
    waiting = [None] * 3
    done = [False] * 3
    for tick in itertools.count():
        runnable = [i for i in range(3) if not done[i] and (waiting[i] is None or waiting[i]())]
        if not runnable and not events:
            assert all(done), f"deadlock at tick {tick}: partitions done {done}"
            return
        if events and (not runnable or rng.random() < 0.4):
            events.pop(rng.randrange(len(events)))()
            continue
        i = rng.choice(runnable)
        try:
            waiting[i] = next(partitions[i])
        except StopIteration:
            done[i], waiting[i] = True, None


if __name__ == "__main__":
    rng = random.Random(0)
    runs = 0
    for count in range(1, 12):
        for w_stages, x_stages, bf_stages in itertools.product((2, 3, 4), (2, 3, 4), (2, 3)):
            for _ in range(150):
                run(count, w_stages, x_stages, rng, bf_stages=bf_stages)
                runs += 1
    print(f"{runs} random schedules: no deadlock, no stale read, no early overwrite")
    for bf_stages in (2, 3):
        caught = 0
        for _ in range(300):  # the model is not blind: the broken release order must fail some schedules
            try:
                run(6, 3, 3, rng, release_lag=0, bf_stages=bf_stages)
            except AssertionError:
                caught += 1
        assert caught, "the model did not catch a release of operands still in flight"
        print(f"{bf_stages} bf16 tiles, releasing the in-flight step's operands: caught in {caught} of 300 schedules")
