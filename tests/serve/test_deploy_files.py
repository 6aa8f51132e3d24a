"""deploy/: the Dockerfile runs the app as Community Cloud would (its default Python, exactly
requirements.txt); the Kubernetes example parses and carries the settings a class depends on."""

import re
import shlex
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DEV_ONLY = {"tests", "bench", "docs", "deploy", "test-artifacts"}   # not needed to run the app
NOT_SOURCE = {"__pycache__"}                # Python's compiled cache (make test writes one); git ignores it


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def manifests() -> dict[str, dict]:
    docs = [d for d in yaml.safe_load_all((DEPLOY / "kubernetes" / "backprop.yaml").read_text()) if d]
    kinds = [d["kind"] for d in docs]
    assert len(set(kinds)) == len(kinds), kinds
    return {d["kind"]: d for d in docs}


def test_the_image_is_communitys_default_python():
    assert instructions()[0] == ("FROM", "python:3.12-slim")


def test_the_image_installs_exactly_requirements_txt():
    runs = [args for word, args in instructions() if word == "RUN" and "pip" in args]
    assert len(runs) == 1, runs
    words = shlex.split(runs[0])
    assert words[:2] == ["pip", "install"] and words[-2:] == ["-r", "requirements.txt"], words
    assert all(w.startswith("--") for w in words[2:-2]), f"extra packages installed: {words}"
    copied = [args.split() for word, args in instructions() if word == "COPY"]
    assert ["requirements.txt", "."] in copied
    # what it installs is the pinned list Community Cloud installs
    pins = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", p) for p in pins if p), pins


def test_the_image_holds_everything_the_app_reads():
    copied = {args.split()[0].rstrip("/") for word, args in instructions() if word == "COPY"}
    needed = {p.name for p in ROOT.iterdir()
              if p.is_dir() and not p.name.startswith(".") and p.name not in DEV_ONLY | NOT_SOURCE}
    needed |= {"app.py", ".streamlit"}
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"


def test_the_container_serves_on_every_interface_and_checks_health():
    ins = dict(instructions())
    cmd = yaml.safe_load(ins["CMD"])                # the JSON (exec) form
    assert cmd[:5] == ["python", "-m", "streamlit", "run", "app.py"]
    options = dict(zip(cmd[5::2], cmd[6::2]))
    assert options == {"--server.address": "0.0.0.0", "--server.port": "8501"}
    assert "/_stcore/health" in ins["HEALTHCHECK"] and "8501" in ins["HEALTHCHECK"]
    assert ins["EXPOSE"] == "8501"


def test_every_replica_gets_the_cookie_secret_and_the_class_store_from_secrets():
    dep = manifests()["Deployment"]
    assert dep["spec"]["replicas"] >= 2
    (container,) = dep["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    ref = env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] and ref["key"]
    store = env["BACKPROP_CLASS_STORE"]["valueFrom"]["secretKeyRef"]     # class mode: one Redis for all
    assert store["name"] and store["key"] and not store.get("optional")
    assert not any("cookieSecret" in a for a in container.get("args", []) + container.get("command", []))
    assert [p["containerPort"] for p in container["ports"]] == [8501]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"


def test_the_service_and_ingress_reach_the_deployment():
    m = manifests()
    labels = m["Deployment"]["spec"]["template"]["metadata"]["labels"]
    svc = m["Service"]
    assert svc["spec"]["selector"].items() <= labels.items()
    port_names = {p["name"] for p in m["Deployment"]["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert {p["targetPort"] for p in svc["spec"]["ports"]} <= port_names
    (rule,) = m["Ingress"]["spec"]["rules"]
    backends = [p["backend"]["service"] for p in rule["http"]["paths"]]
    assert backends and all(b["name"] == svc["metadata"]["name"] for b in backends)
    assert m["Ingress"]["spec"]["ingressClassName"] == "nginx"


def test_the_ingress_keeps_each_student_on_one_replica_for_a_lecture():
    a = manifests()["Ingress"]["metadata"]["annotations"]
    p = "nginx.ingress.kubernetes.io/"
    assert a[p + "affinity"] == "cookie"
    assert a[p + "session-cookie-name"]
    assert a[p + "session-cookie-change-on-failure"] == "true"
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(a[p + timeout]) >= 2 * 3600, timeout
    body_mb = int(re.fullmatch(r"(\d+)m", a[p + "proxy-body-size"]).group(1))
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert body_mb > config["server"]["maxUploadSize"], "nginx would refuse uploads Streamlit accepts"
