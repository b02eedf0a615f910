"""Links between GPUs and machines, and how long moving KV cache over them takes.

A link is latency plus bandwidth. Transfers on one link share it first come, first served: a
transfer starts when the previous one has left the wire (`SharedLink.send`), which is what a
single NIC or PCIe lane does to concurrent copies. Prefill-to-decode hand-over can send the
KV cache layer by layer while later layers still compute (`layerwise_transfer_delay`).
"""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.core.registry import Registry


@dataclass(frozen=True)
class LinkSpec:
    name: str
    bandwidth: float  # bytes/s, one direction
    latency: float  # seconds per transfer (wire plus software set-up)
    description: str = ""

    def transfer_time(self, nbytes: float) -> float:
        return self.latency + nbytes / self.bandwidth


LINKS: Registry[LinkSpec] = Registry("link")
for _spec in (
    LinkSpec("nvlink-a100", 300e9, 5e-6, "NVLink 3 between GPUs of one A100 machine (600 GB/s both ways)"),
    LinkSpec("nvlink-h100", 450e9, 5e-6, "NVLink 4 between GPUs of one H100 machine (900 GB/s both ways)"),
    LinkSpec("pcie4", 25e9, 10e-6, "PCIe 4.0 x16, GPU to host memory"),
    LinkSpec("pcie5", 50e9, 10e-6, "PCIe 5.0 x16, GPU to host memory"),
    LinkSpec("infiniband-hdr", 25e9, 20e-6, "InfiniBand HDR 200 Gb/s between machines (one NIC per GPU)"),
    LinkSpec("infiniband-ndr", 50e9, 20e-6, "InfiniBand NDR 400 Gb/s between machines"),
    LinkSpec("ethernet-100g", 12.5e9, 50e-6, "100 Gb/s Ethernet (RoCE) between machines"),
    LinkSpec("nvme-ssd", 6e9, 100e-6, "NVMe SSD read into GPU memory"),
):
    LINKS.register(_spec.name, _spec, _spec.description)


class SharedLink:
    """One link whose transfers queue behind each other (FIFO contention)."""

    def __init__(self, spec: LinkSpec) -> None:
        self.spec = spec
        self.free_at = 0.0
        self.bytes_sent = 0.0
        self.busy_time = 0.0

    def send(self, now: float, nbytes: float) -> float:
        """Queue a transfer of `nbytes` at time `now`; returns when its last byte arrives."""
        start = max(now, self.free_at)
        wire = nbytes / self.spec.bandwidth
        self.free_at = start + wire
        self.bytes_sent += nbytes
        self.busy_time += wire
        return self.free_at + self.spec.latency


def layerwise_transfer_delay(compute_s: float, nbytes: float, layers: int, link: LinkSpec) -> float:
    """Delay after a prefill ends until its KV has fully arrived, when layer i's KV is sent as soon
    as layer i is computed (layers compute in `compute_s / layers` each; sends queue on the link).

    With per-layer compute c and per-layer send x: the last send ends at L*c + x when x <= c
    (the link keeps up) and at c + L*x otherwise, so the visible delay is x or c + L*x - L*c.
    """
    if layers < 1:
        raise ValueError("a model has at least one layer")
    c = compute_s / layers
    x = nbytes / layers / link.bandwidth
    end = layers * c + x if x <= c else c + layers * x
    return end - layers * c + link.latency
