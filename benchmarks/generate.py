"""Synthetic national-scale models for the benchmarks (not a test fixture).

Scales: S (100 institutions, 1,000 systems, 500 processes x 10 steps), M (a third of L),
L (1,000 institutions, 10,000 systems, 5,000 processes x 10 steps, about 30 MB of YAML):
one file per institution (with its systems, integrations and services) and one per process.

    python benchmarks/generate.py --scale L --out benchmarks/out/L
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SCALES = {
    "S": dict(institutions=100, systems=1_000, processes=500),
    "M": dict(institutions=333, systems=3_333, processes=1_667),
    "L": dict(institutions=1_000, systems=10_000, processes=5_000),
}
STEPS = 10
STATUSES = ["active"] * 14 + ["legacy", "legacy", "retiring", "planned", "retired"]
VENDORS = [f"Vendor {n:02d} Ltd" for n in range(40)]
CHANNELS = ["web", "mobile", "ussd", "sms", "kiosk", "email", "call-centre", "counter", "post"]


def _list(values) -> str:
    return "[" + ", ".join(values) + "]"


def _needs(rng, step_systems, system_capabilities, capabilities) -> list[str]:
    """Most steps need what their systems provide (a landscape that is mostly aligned)."""
    offered = sorted({c for s in step_systems for c in system_capabilities[s]})
    if offered and rng.random() < 0.85:
        return rng.sample(offered, min(len(offered), rng.randint(1, 2)))
    return rng.sample(capabilities, rng.randint(1, 2))


def generate(scale: str, out: Path, seed: int = 2026) -> dict:
    sizes = SCALES[scale]
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "models" / "institutions").mkdir(parents=True)
    (out / "processes").mkdir(parents=True)
    n_inst, n_sys, n_proc = sizes["institutions"], sizes["systems"], sizes["processes"]
    n_sys -= n_sys % n_inst  # every institution owns the same number of systems (M: 3,330)
    capabilities = [f"cap-{n:03d}" for n in range(80)]
    entities = [f"entity-{n:03d}" for n in range(300)]
    institutions = [f"inst-{n:04d}" for n in range(n_inst)]
    systems = [f"sys-{n:05d}" for n in range(n_sys)]
    services = []
    system_capabilities: dict[str, list[str]] = {}

    lines = ["model:", f"  name: Synthetic national model ({scale})", "  currency: TZS", "  as_of: 2026-06-30",
             "capabilities:"]
    for number, capability in enumerate(capabilities):
        lines += [f"  - id: {capability}", f"    name: Capability {number}",
                  f"    category: {rng.choice(['foundational', 'feature', 'domain'])}",
                  f"    shared: {'true' if number < 15 else 'false'}"]
    lines.append("data_entities:")
    for number, entity in enumerate(entities):
        lines += [f"  - id: {entity}", f"    name: Entity {number}",
                  f"    sensitivity: {rng.choice(['public', 'internal', 'confidential', 'personal'])}"]
    (out / "models" / "catalogue.yaml").write_text("\n".join(lines) + "\n")

    per_institution = n_sys // n_inst
    for i, institution in enumerate(institutions):
        own = systems[i * per_institution:(i + 1) * per_institution]
        lines = ["institutions:", f"  - id: {institution}", f"    name: Institution {i} of the synthetic government",
                 f"    type: {rng.choice(['ministry', 'department', 'agency', 'regional', 'local-government'])}"]
        if i:
            lines.append(f"    parent: {institutions[rng.randrange(0, i)]}")
        lines.append("systems:")
        for system in own:
            caps = rng.sample(capabilities, rng.randint(1, 4))
            system_capabilities[system] = caps
            holdings = rng.sample(entities, rng.randint(1, 4))
            lines += [f"  - id: {system}", f"    name: System {system[4:]} of institution {i}",
                      "    description: Synthetic system used to measure egov-align at national scale.",
                      f"    owner: {institution}", f"    status: {rng.choice(STATUSES)}",
                      f"    capabilities: {_list(caps)}", "    data:"]
            for entity in holdings:
                role = rng.choice(["master", "replica", "reader", "reader"])
                lines.append(f"      - {{entity: {entity}, role: {role}}}")
            lines += [f"    vendor: {rng.choice(VENDORS)}", f"    support: {rng.choice(['in-house', 'vendor', 'mixed'])}",
                      f"    hosting: {rng.choice(['government data centre', 'cloud', 'on premises'])}",
                      f"    annual_cost: {rng.randrange(10, 5000) * 10000}", f"    users: {rng.randrange(5, 50000)}"]
            if rng.random() < 0.7:
                lines.append(f"    security: {{assessed: 202{rng.randint(3, 6)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}}}")
        lines.append("integrations:")
        for system in own:
            for _ in range(2):
                target = rng.choice(systems)
                if target == system:
                    continue
                lines += [f"  - id: {system}-to-{target}-{rng.randrange(10**6)}", f"    from: {system}",
                          f"    to: {target}", f"    data: {_list(rng.sample(entities, rng.randint(1, 3)))}",
                          f"    mechanism: {rng.choice(['api', 'esb', 'file', 'database'])}",
                          "    description: Synthetic data exchange between two systems of the benchmark model.",
                          f"    encrypted: {rng.choice(['true', 'false'])}"]
        lines.append("services:")
        for s in range(5):
            service = f"svc-{i:04d}-{s}"
            services.append((service, institution))
            lines += [f"  - id: {service}", f"    name: Service {s} of institution {i}", f"    provider: {institution}",
                      f"    channels: {_list(rng.sample(CHANNELS, rng.randint(1, 3)))}",
                      f"    annual_volume: {rng.randrange(100, 1_000_000)}"]
        (out / "models" / "institutions" / f"{institution}.yaml").write_text("\n".join(lines) + "\n")

    for p in range(n_proc):
        service, owner = services[p % len(services)]
        owner_index = institutions.index(owner) if p < 50 else int(owner[5:])
        own = systems[owner_index * per_institution:(owner_index + 1) * per_institution]
        lines = ["processes:", f"  - id: proc-{p:05d}", f"    name: Process {p} delivering {service}",
                 "    description: >-", "      A synthetic business process with ten steps, written the way planners",
                 "      describe real ones, so that the benchmark reads files of a realistic size.",
                 f"    owner: {owner}", f"    service: {service}", "    steps:"]
        for s in range(STEPS):
            step_systems = [] if rng.random() < 0.15 else rng.sample(own + [rng.choice(systems)], rng.randint(1, 2))
            lines += [f"      - id: step-{s:02d}", f"        name: Step {s} of process {p}",
                      f"        description: The officer checks the application against the rules of service "
                      f"{service} and records the outcome ({rng.randrange(10**6)}).",
                      f"        tags: [synthetic, benchmark, wave-{rng.randint(1, 5)}]",
                      f"        performer: {rng.choice([owner, rng.choice(institutions)])}",
                      f"        needs: {_list(_needs(rng, step_systems, system_capabilities, capabilities))}",
                      f"        reads: {_list(rng.sample(entities, rng.randint(0, 2)))}",
                      f"        writes: {_list(rng.sample(entities, rng.randint(0, 2)))}",
                      f"        systems: {_list(step_systems)}"]
            if s == STEPS - 1:
                lines.append("        next: []")
            elif rng.random() < 0.1:
                lines.append(f"        next: [step-{s + 1:02d}, step-{min(STEPS - 1, s + 2):02d}]")
        (out / "processes" / f"proc-{p:05d}.yaml").write_text("\n".join(lines) + "\n")
    files = list(out.rglob("*.yaml"))
    return {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}


def synthetic_model(scale: str) -> Path:
    """benchmarks/out/SCALE, generated on first use (the other benchmarks start here)."""
    out = Path(__file__).parent / "out" / scale
    if not out.exists():
        generate(scale, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="S")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "out" / args.scale
    stats = generate(args.scale, out)
    print(f"scale {args.scale}: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB in {out}")


if __name__ == "__main__":
    main()
