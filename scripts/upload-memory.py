#!/usr/bin/env python3
"""Peak memory of the server while it refuses hostile workbooks and imports a large one.

Starts the release binary on a fresh SQLite file (regions, units and accounts only), signs in
as the province bureau and uploads, one after the other: the two files that crashed the
server, an archive bomb that inflates to 3.2 GB, a 1,048,576-row sheet with and without a
declared dimension, and a valid 100,000-row ledger sheet. After each it prints the answer,
the server's resident memory and its peak so far (VmRSS / VmHWM from /proc).

    python3 scripts/upload-memory.py [target/release/luodi]
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/luodi")
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets><sheet name="项目台账" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""

HEADER = ["项目名称", "投资方", "资金来源", "合同资金（万元）", "签约日期", "落户地", "项目阶段"]


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def row_xml(r, values):
    cells = "".join(
        f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(values)
    )
    return f'<row r="{r}">{cells}</row>'


def workbook(sheet_parts, shared='<sst xmlns="%s" count="0" uniqueCount="0"/>' % NS, extra=()):
    """An .xlsx whose sheet XML is the concatenation of `sheet_parts` (streamed into the zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/sharedStrings.xml", shared)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for part in sheet_parts:
                f.write(part.encode())
        for name, chunks in extra:
            with z.open(name, "w", force_zip64=True) as f:
                for chunk in chunks:
                    f.write(chunk)
    return out.getvalue()


def sheet(rows, dimension=None):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from rows
    yield "</sheetData></worksheet>"


COUNTIES = ["南县", "沅江市", "桃江县", "安化县", "赫山区", "资阳区"]


def ledger_rows(n, start=2):
    yield row_xml(1, HEADER)
    for i in range(n):
        yield row_xml(
            start + i,
            [f"内存测试项目{i:06d}", f"测试投资有限公司{i % 997}", "省内", str(1000 + i % 50000),
             "2025-06-01", COUNTIES[i % len(COUNTIES)], "已签约"],
        )


def files():
    yield "sharedStrings 声明 10^10 个", workbook(
        sheet([row_xml(1, HEADER)]),
        shared=f'<sst xmlns="{NS}" count="10000000000" uniqueCount="10000000000"><si><t>a</t></si></sst>',
    )
    yield "唯一单元格在 XFD1048576", workbook(
        sheet(['<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'],
              dimension="XFD1048576"))
    zeros = (b"\0" * (1 << 20) for _ in range(3200))
    yield "3.2 GB 零字节压缩包", workbook(sheet([row_xml(1, HEADER)]), extra=[("xl/media/a.bin", zeros)])
    yield "1,048,576 行（声明了范围）", workbook(sheet(ledger_rows(1_048_575), dimension="A1:G1048576"))
    yield "1,048,576 行（未声明范围）", workbook(sheet(ledger_rows(1_048_575)))
    short = (row_xml(r, [f"p{r}"]) for r in range(2, 1_048_577))
    yield "1,048,576 行每行一格（未声明范围，文件小于上限）", workbook(sheet(
        [row_xml(1, HEADER)] + list(short)))
    yield "100,000 行有效台账", workbook(sheet(ledger_rows(100_000)))


def memory(pid):
    status = open(f"/proc/{pid}/status").read().splitlines()
    get = lambda key: next(int(l.split()[1]) for l in status if l.startswith(key)) // 1024
    return get("VmRSS:"), get("VmHWM:")


def request(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    work = tempfile.mkdtemp(prefix="luodi-upload-memory-")
    db = f"sqlite://{work}/luodi.db"
    subprocess.run([BINARY, "demo", "--scale", "base", "--password", "Luodi@2026",
                    "--database-url", db], check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([BINARY, "serve", "--bind", "127.0.0.1:18089", "--database-url", db],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    base = "http://127.0.0.1:18089"
    try:
        for _ in range(100):
            try:
                if request(base + "/api/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, body = request(base + "/api/auth/login",
                               json.dumps({"username": "hn_bureau", "password": "Luodi@2026"}).encode(),
                               {"content-type": "application/json"})
        token = json.loads(body)["token"]
        rss, hwm = memory(server.pid)
        print(f"| 文件 | 大小 | 回答 | 用时 (s) | 常驻内存 (MB) | 峰值 (MB) |\n|---|---:|---|---:|---:|---:|")
        print(f"| （启动后） | | | | {rss} | {hwm} |")
        for name, data in files():
            boundary = "luodi-memory-boundary"
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\n"
                    f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
            started = time.time()
            status, answer = request(base + "/api/projects/import/commit", body, {
                "authorization": f"Bearer {token}",
                "content-type": f"multipart/form-data; boundary={boundary}"})
            took = time.time() - started
            alive = server.poll() is None
            code = json.loads(answer).get("code", "") if answer.startswith(b"{") else answer[:60]
            rss, hwm = memory(server.pid) if alive else (0, 0)
            print(f"| {name} | {len(data) / 1e6:.1f} MB | {status} {code} | {took:.1f} | {rss} | {hwm} |")
            if not alive:
                print("the server died")
                return 1
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
