#!/usr/bin/env python3
"""A Python client of Rasd, generated from proto/ with grpcio-tools, against a running server.

Usage: client_test.py --server HOST:PORT --proto PROTO_DIR
Prints one line per check and a closing 'N passed, N failed' line; exits non-zero on failure.
"""
import argparse
import importlib
import os
import sys
import tempfile
import traceback

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase
from grpc_tools import protoc
import grpc_tools


def generate_stubs(proto_dir, out_dir):
    """Compiles the rasd.v1 protos into Python modules in out_dir."""
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    files = [os.path.join("rasd", "v1", name) for name in ("common.proto", "extraction.proto", "document.proto", "entity.proto")]
    files.append(os.path.join("google", "rpc", "status.proto"))
    code = protoc.main(["grpc_tools.protoc", f"-I{proto_dir}", f"-I{well_known}",
                        f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", *files])
    if code != 0:
        raise SystemExit(f"protoc failed with {code}")
    for package in ("rasd", os.path.join("rasd", "v1")):
        open(os.path.join(out_dir, package, "__init__.py"), "a").close()
    # `google` stays a namespace package (protobuf installs google.protobuf into it), so the
    # generated google/rpc joins it from this folder.
    sys.path.insert(0, out_dir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--proto", required=True)
    args = ap.parse_args()
    out_dir = tempfile.mkdtemp(prefix="rasd-stubs-")
    generate_stubs(args.proto, out_dir)
    common = importlib.import_module("rasd.v1.common_pb2")
    extraction = importlib.import_module("rasd.v1.extraction_pb2")
    extraction_grpc = importlib.import_module("rasd.v1.extraction_pb2_grpc")
    document = importlib.import_module("rasd.v1.document_pb2")
    document_grpc = importlib.import_module("rasd.v1.document_pb2_grpc")

    channel = grpc.insecure_channel(args.server)
    grpc.channel_ready_future(channel).result(timeout=30)
    results = []

    def check(name, fn):
        try:
            fn()
            results.append(True)
            print(f"ok   {name}")
        except Exception:  # noqa: BLE001 - report every failure and go on
            results.append(False)
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)

    def health():
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "rasd.v1.ExtractionService", "rasd.v1.DocumentService"):
            response = stub.Check(health_pb2.HealthCheckRequest(service=service))
            assert response.status == health_pb2.HealthCheckResponse.SERVING, (service, response)

    def reflection():
        db = ProtoReflectionDescriptorDatabase(channel)
        services = set(db.get_services())
        for name in ("rasd.v1.ExtractionService", "rasd.v1.DocumentService", "rasd.v1.EntityService"):
            assert name in services, services
        file = db.FindFileContainingSymbol("rasd.v1.ExtractionService")
        assert file.package == "rasd.v1", file.package

    text = "قصفت طائرات روسية مواقع لداعش في دير الزور، وقالت «قسد» إن التحالف الدولي شارك."

    def extract():
        stub = extraction_grpc.ExtractionServiceStub(channel)
        response = stub.ExtractEntities(extraction.ExtractEntitiesRequest(
            text=text, options=common.ExtractionOptions(offset_unit=common.OFFSET_UNIT_CODE_POINT)))
        assert response.offset_unit == common.OFFSET_UNIT_CODE_POINT
        ids = {m.entity_id for m in response.mentions}
        assert {"org/isis", "gpe/deir-ez-zor", "org/sdf"} <= ids, ids
        for m in response.mentions:
            # Code points are Python string indexes.
            assert text[m.span.start:m.span.end] == m.text, (m.span, m.text)
        try:
            stub.ExtractEntities(extraction.ExtractEntitiesRequest(text=""))
            raise AssertionError("empty text was accepted")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.code()
            assert "text" in error.details(), error.details()

    def create_and_list():
        stub = document_grpc.DocumentServiceStub(channel)
        ids = []
        for i in range(7):
            response = stub.CreateDocument(document.CreateDocumentRequest(
                document_id=f"py-{i}", text=f"{text} ({i})", source="python"))
            assert response.created
            ids.append(response.document.document_id)
            assert response.document.mention_count > 0
        seen, token, pages = [], "", 0
        while True:
            page = stub.ListDocuments(document.ListDocumentsRequest(
                page_size=3, page_token=token, filter=document.DocumentFilter(source="python")))
            pages += 1
            seen.extend(d.document_id for d in page.documents)
            token = page.next_page_token
            if not token:
                break
        assert seen == sorted(ids), seen
        assert pages == 3, pages
        retry = stub.CreateDocument(document.CreateDocumentRequest(document_id="py-0", text=f"{text} (0)"))
        assert not retry.created

    check("health reports SERVING", health)
    check("reflection lists the services", reflection)
    check("ExtractEntities links mentions with code-point spans", extract)
    check("CreateDocument, then ListDocuments across pages", create_and_list)
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
