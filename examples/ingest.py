#!/usr/bin/python3
"""A Python bot feeding argus over the msgpack wire format (docs/WIRE.md).

    examples/ingest.py ARGUSD CONFIG [COUNT]

Starts argusd with --ingest-stdin, sends COUNT regime events (the spec's
record_regime_tracking example) with correlation ids py-0, py-1, ..., asks for
a flush, prints argusd's acknowledgement and stops argusd with SIGTERM.
Exit 0 when the flush was acknowledged.
"""
import signal
import struct
import subprocess
import sys

import msgpack


def frame(type_name, body):
    envelope = msgpack.packb([type_name, body], use_bin_type=True)
    return struct.pack(">I", len(envelope)) + envelope


def main():
    argusd, config = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    proc = subprocess.Popen([argusd, "--config", config, "--ingest-stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for i in range(count):
        proc.stdin.write(frame("regime_recorded", {
            "hdr": {"corr": f"py-{i}"},
            "regime_type": "BULL_TREND",
            "regime_confidence": 0.85,
            "regime_probabilities": {"BULL_TREND": 0.6, "BEAR_TREND": 0.2,
                                     "SIDEWAYS": 0.2},
            "regime_features": ["price_momentum", "volatility"],
            "regime_indicators": {"momentum_score": 0.7,
                                  "volatility_score": 0.3},
            "regime_transition_probability": 0.1,
        }))
    proc.stdin.write(frame("flush_requested", {"hdr": {"corr": "py-flush"}}))
    proc.stdin.flush()
    acked = False
    for line in proc.stdout:
        text = line.decode().strip()
        if "py-flush" in text:
            print(text)
            acked = text.startswith("ack ")
            break
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return 0 if acked and proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
