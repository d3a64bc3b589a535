"""The Athena example of the course (curso-big-data-aws.md, "¿Cómo utilizar
Boto3 para interactuar con servicios de AWS?"), as written there, apart
from endpoint_url (and the credentials, which come from the environment).

Usage: athena_course.py ENDPOINT
"""

import json
import sys

from common import endpoint

ENDPOINT = endpoint()

# ---- the course's code, unchanged apart from endpoint_url ----
import boto3

# Inicializar cliente de S3
s3 = boto3.client('s3', region_name='us-west-2', endpoint_url=ENDPOINT)

# Listar buckets en S3
response = s3.list_buckets()
print(response['Buckets'])

# Inicializar cliente de Athena
athena = boto3.client('athena', endpoint_url=ENDPOINT)

# Enviar una consulta a Athena
query_start = athena.start_query_execution(
    QueryString='SELECT * FROM database.table',
    QueryExecutionContext={'Database': 'my_database'},
    ResultConfiguration={
        'OutputLocation': 's3://my-athena-results-bucket/path/to/',
    }
)

print(query_start)
# ---- end of the course's code ----

print(json.dumps({"QueryExecutionId": query_start["QueryExecutionId"],
                  "buckets": [b["Name"] for b in response["Buckets"]],
                  "versions": {"boto3": boto3.__version__}}))
sys.stdout.flush()
