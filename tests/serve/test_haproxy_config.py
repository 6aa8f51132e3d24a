"""The HAProxy configuration `make class` runs: rendered from deploy/haproxy.cfg.template, valid for
HAProxy itself, with the settings a class of several replicas depends on."""

import re
from pathlib import Path

from deploy import haproxy as hap
from deploy.haproxy import render_config

ROOT = Path(__file__).resolve().parents[2]


def rendered(tmp_path, replicas=3) -> str:
    text = render_config([(f"r{i}", 40000 + i) for i in range(1, replicas + 1)], "127.0.0.1:18501",
                         tmp_path / "haproxy.sock")
    (tmp_path / "haproxy.cfg").write_text(text)
    return text


def seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 0.001}[unit]


def test_make_class_renders_the_one_template_in_deploy():
    assert hap.TEMPLATE == ROOT / "deploy" / "haproxy.cfg.template"
    assert sorted(p.name for p in (ROOT / "deploy").glob("*haproxy*") if p.suffix != ".py") == ["haproxy.cfg.template"]
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^class:.*\n\t.*-m deploy\.cluster start", make, re.M), "make class must run deploy.cluster"


def test_the_rendered_config_passes_haproxy_check(haproxy, tmp_path):
    rendered(tmp_path)
    ok, said = hap.check_config(haproxy, tmp_path / "haproxy.cfg")
    assert ok, said


def test_affinity_is_a_cookie_inserted_by_the_balancer(tmp_path):
    text = rendered(tmp_path)
    assert re.search(r"^\s+cookie SERVERID insert indirect nocache\b", text, re.M)
    servers = re.findall(r"^\s+server (\S+) 127\.0\.0\.1:(\d+) check cookie (\S+)$", text, re.M)
    assert servers == [("r1", "40001", "r1"), ("r2", "40002", "r2"), ("r3", "40003", "r3")]
    assert re.search(r"^\s+option redispatch\b", text, re.M), "a dead replica's students must move on"


def test_websockets_stay_open_for_a_lecture(tmp_path):
    text = rendered(tmp_path)
    tunnel = re.search(r"^\s+timeout tunnel (\S+)", text, re.M)
    assert tunnel and seconds(tunnel.group(1)) >= 2 * 3600
    assert re.search(r"^\s+mode http$", text, re.M)


def test_replicas_are_checked_on_streamlits_health_endpoint(tmp_path):
    text = rendered(tmp_path)
    assert re.search(r"^\s+option httpchk$", text, re.M)
    assert re.search(r"^\s+http-check send meth GET uri /_stcore/health$", text, re.M)
    assert re.search(r"^\s+http-check expect status 200$", text, re.M)


def test_the_balancer_listens_where_asked(tmp_path):
    assert re.search(r"^\s+bind 127\.0\.0\.1:18501$", rendered(tmp_path), re.M)
