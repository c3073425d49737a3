"""What this CPU offers and what the installed llama.cpp build uses (tests and the report header)."""

from __future__ import annotations

from pathlib import Path


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The flags of the first processor in `cpuinfo`."""
    for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def llama_build_features() -> set[str]:
    """The instruction sets the installed llama.cpp CPU backend was built with (AVX2, AVX512, …)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    features = set()
    for part in info.split("|"):  # "CPU : SSE3 = 1 | AVX = 1 | … | AVX512 = 1 | …"
        name, _, value = part.rpartition("=")
        if value.strip() == "1":
            features.add(name.rpartition(":")[2].strip())
    return features
