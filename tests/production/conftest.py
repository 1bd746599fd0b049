from collections.abc import Iterator

import pytest

from tests.support.s3_server import S3Endpoint, s3_endpoint


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Endpoint]:
    with s3_endpoint(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint
