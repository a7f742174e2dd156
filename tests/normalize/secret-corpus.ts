// Real-world shapes in which credentials reach error texts, job parameters and HTTP bodies. Every value is fake
// (vendor documentation examples or made-up strings of the right shape); tokens are assembled from parts so that
// no scanner mistakes this file for a leak. `secret` must vanish from redact's output; `keep` must survive.

export interface SecretCase {
  readonly form: string;
  readonly text: string;
  readonly secret: string;
  readonly keep: string;
}

const AZ_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY';
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7' + 'VJTUt9Us8cKjMzEfYyjiWA4R4';
const SIG = 'sv%2Fq0Vt8cY7XbXJ4n9Kz1mF3Yy' + 'QwE6rT0aL2s%3D';
const HEX40 = 'fe5f80f77d5fa3beca038a248ff027d0445342fe';

export const CORPUS: readonly SecretCase[] = [
  // Authorization headers, every scheme
  { form: 'Authorization: token (GitHub classic)', text: 'GET /repos failed, Authorization: token s3cr3tT0kenValue1 rejected', secret: 's3cr3tT0kenValue1', keep: 'Authorization: token' },
  { form: 'Authorization: Bearer', text: 'headers: {Authorization: Bearer abc.DEF_ghi-123~xyz}', secret: 'abc.DEF_ghi-123~xyz', keep: 'Authorization: Bearer' },
  { form: 'Authorization: Basic', text: 'Authorization: Basic dXNlcjpodW50ZXIy\r\nHost: x', secret: 'dXNlcjpodW50ZXIy', keep: 'Host: x' },
  { form: 'Authorization: Digest parameters', text: 'Authorization: Digest username="etl", realm="api", nonce="dcd98b7102dd2f0e", response="6629fae49393a05397450978507c4ef1"', secret: '6629fae49393a05397450978507c4ef1', keep: 'Authorization: Digest' },
  { form: 'Authorization: SharedKey account:signature', text: 'Authorization: SharedKey myaccount:ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=', secret: 'ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=', keep: 'SharedKey' },
  { form: 'Authorization: AWS4-HMAC-SHA256 Credential, Signature', text: `Authorization: AWS4-HMAC-SHA256 Credential=${AWS_ID}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=${HEX40}`, secret: HEX40, keep: 'AWS4-HMAC-SHA256' },
  { form: 'Authorization: AWS4 credential scope', text: `Authorization: AWS4-HMAC-SHA256 Credential=${AWS_ID}/20130524/us-east-1/s3/aws4_request`, secret: AWS_ID, keep: 'Authorization' },
  { form: 'Authorization: Snowflake Token="…"', text: 'Authorization: Snowflake Token="ver:1-hint:1234-ETMsDgAAAYxSecretPart"', secret: 'ETMsDgAAAYxSecretPart', keep: 'Snowflake' },
  { form: '"Authorization": "Bearer …" in JSON', text: '{"headers":{"Authorization":"Bearer zyx987WVU654tsr"},"status":401}', secret: 'zyx987WVU654tsr', keep: '"status":401' },
  { form: 'Proxy-Authorization header', text: 'Proxy-Authorization: Basic cHJveHk6cGFzc3dvcmQ=', secret: 'cHJveHk6cGFzc3dvcmQ=', keep: 'Proxy-Authorization' },
  { form: 'bare Bearer token in prose', text: 'retrying with Bearer Ab12Cd34Ef56Gh78 after 401', secret: 'Ab12Cd34Ef56Gh78', keep: 'after 401' },
  { form: 'Cookie header', text: 'Cookie: session=0a1b2c3d4e5f; csrftoken=zz99', secret: '0a1b2c3d4e5f', keep: 'Cookie' },
  { form: 'X-API-Key header', text: 'X-API-Key: xk_9f8e7d6c5b4a\r\nAccept: */*', secret: 'xk_9f8e7d6c5b4a', keep: 'Accept' },
  { form: 'Azure OpenAI api-key header', text: 'api-key: 0123456789abcdef0123456789abcdef', secret: '0123456789abcdef0123456789abcdef', keep: 'api-key' },
  { form: 'Ocp-Apim-Subscription-Key header', text: '"Ocp-Apim-Subscription-Key": "apimKey123456"', secret: 'apimKey123456', keep: 'Ocp-Apim-Subscription-Key' },
  // Spark, Hadoop and JVM settings
  { form: 'Spark fs.azure.account.key space-separated', text: 'spark.hadoop.fs.azure.account.key.mystore.dfs.core.windows.net ' + AZ_KEY, secret: AZ_KEY.slice(0, 40), keep: 'fs.azure.account.key.mystore' },
  { form: 'Spark fs.azure.account.key with =', text: 'fs.azure.account.key.mystore.dfs.core.windows.net=S3cretKeyValue99', secret: 'S3cretKeyValue99', keep: 'fs.azure.account.key' },
  { form: 'spark.conf.set("…account.key…", "…")', text: 'spark.conf.set("fs.azure.account.key.acct.blob.core.windows.net", "KeyVal+123/abc=")', secret: 'KeyVal+123/abc=', keep: 'spark.conf.set' },
  { form: 'Hadoop s3a secret key space-separated', text: 'spark.hadoop.fs.s3a.secret.key ' + AWS_SECRET, secret: AWS_SECRET, keep: 'fs.s3a.secret.key' },
  { form: 'OAuth client secret in Spark config', text: 'fs.azure.account.oauth2.client.secret.acct.dfs.core.windows.net abcQ8secretValueZ', secret: 'abcQ8secretValueZ', keep: 'oauth2.client.secret' },
  { form: 'Azure SAS fixed token setting', text: 'fs.azure.sas.fixed.token.acct.dfs.core.windows.net sp=r&sig=' + SIG, secret: SIG, keep: 'fs.azure.sas' },
  { form: 'Java -D system property', text: 'java -Djavax.net.ssl.keyStorePassword=changeit99 -jar app.jar', secret: 'changeit99', keep: '-jar app.jar' },
  // Command lines
  { form: 'mysql -pX', text: 'mysql -h db -u etl -phunter2pw -e "select 1"', secret: 'hunter2pw', keep: '-u etl' },
  { form: "mysql -p'X'", text: "mysqldump -u root -p'pa ss' mydb", secret: 'pa ss', keep: 'mydb' },
  { form: 'mysql --password X', text: 'mysql --user etl --password Zz9yY8xX db', secret: 'Zz9yY8xX', keep: '--user etl' },
  { form: 'mysql --password=X', text: 'mysql --password=Zz9yY8xX --host db', secret: 'Zz9yY8xX', keep: '--host db' },
  { form: 'keytool -storepass X', text: 'keytool -list -keystore ks.jks -storepass ksPass123', secret: 'ksPass123', keep: 'ks.jks' },
  { form: 'CLI --client-secret "X"', text: 'az login --service-principal --client-secret "abc~DEF.123" --tenant t1', secret: 'abc~DEF.123', keep: '--tenant t1' },
  { form: 'sshpass -p X', text: 'sshpass -p sshPw0rd ssh etl@host', secret: 'sshPw0rd', keep: 'etl@host' },
  // key=value, key: value, JSON, YAML, XML
  { form: 'passphrase: X', text: 'private key load failed, passphrase: my-long-passphrase!', secret: 'my-long-passphrase!', keep: 'private key load failed' },
  { form: 'password=X', text: 'connect failed password=s3cr3t user=etl', secret: 's3cr3t', keep: 'user=etl' },
  { form: 'env SNOWFLAKE_PASSWORD=X', text: 'env: SNOWFLAKE_PASSWORD=Sn0wPass! SNOWFLAKE_USER=etl', secret: 'Sn0wPass!', keep: 'SNOWFLAKE_USER=etl' },
  { form: '"client_secret": "X"', text: '{"client_id":"abc","client_secret":"zzz.YYY~999"}', secret: 'zzz.YYY~999', keep: '"client_id":"abc"' },
  { form: "Python repr {'password': 'X'}", text: "kwargs={'user': 'etl', 'password': 'py pass 1'}", secret: 'py pass 1', keep: "'user': 'etl'" },
  { form: 'YAML api_key: X', text: 'config:\n  api_key: qwerty12345\n  region: eu', secret: 'qwerty12345', keep: 'region: eu' },
  { form: 'api key with a space', text: 'invalid api key: k_live_998877', secret: 'k_live_998877', keep: 'invalid' },
  { form: 'access key', text: 'accessKey=AbCdEf123456', secret: 'AbCdEf123456', keep: 'accessKey' },
  { form: 'pwd=X', text: 'DSN=wh;UID=etl;PWD=odbcPw1;', secret: 'odbcPw1', keep: 'UID=etl' },
  { form: 'ODBC PWD={X;Y}', text: 'Driver={SnowflakeDSIIDriver};UID=etl;PWD={p;w}d9};Warehouse=wh', secret: 'p;w', keep: 'Warehouse=wh' },
  { form: 'ADO Password=X', text: 'Server=tcp:sql.example.net,1433;User ID=etl;Password=AdoPw-77;Encrypt=True', secret: 'AdoPw-77', keep: 'Encrypt=True' },
  { form: 'JDBC sqlserver ;password=X', text: 'jdbc:sqlserver://host:1433;databaseName=db;user=etl;password=JdbcPw42;', secret: 'JdbcPw42', keep: 'databaseName=db' },
  { form: 'Snowflake JDBC ?password=X', text: 'jdbc:snowflake://acct.snowflakecomputing.com/?user=etl&password=SfJdbc9&warehouse=wh', secret: 'SfJdbc9', keep: 'warehouse=wh' },
  { form: 'Snowflake PASSWORD=X', text: "CREATE USER etl PASSWORD='SfUserPw1' DEFAULT_ROLE=r", secret: 'SfUserPw1', keep: 'DEFAULT_ROLE=r' },
  { form: 'SQL PASSWORD \'X\' (space)', text: "CREATE ROLE etl LOGIN PASSWORD 'pgRolePw'", secret: 'pgRolePw', keep: 'CREATE ROLE etl' },
  { form: 'SQL IDENTIFIED BY', text: "CREATE USER 'etl'@'%' IDENTIFIED BY 'MyIdPw9'", secret: 'MyIdPw9', keep: 'CREATE USER' },
  { form: 'Snowflake stage AWS_SECRET_KEY', text: `CREDENTIALS=(AWS_KEY_ID='x' AWS_SECRET_KEY='${AWS_SECRET}')`, secret: AWS_SECRET, keep: 'AWS_KEY_ID' },
  { form: 'Snowflake AZURE_SAS_TOKEN', text: "CREDENTIALS=(AZURE_SAS_TOKEN='?sv=2022-11-02&sig=abcDEF123')", secret: 'abcDEF123', keep: 'CREDENTIALS' },
  { form: 'XML <Password>', text: '<conn><User>etl</User><Password>XmlPw1</Password></conn>', secret: 'XmlPw1', keep: '<User>etl</User>' },
  { form: 'escaped JSON inside a message', text: 'body: {\\"password\\":\\"EscPw12\\"} rejected', secret: 'EscPw12', keep: 'rejected' },
  { form: 'truncated JSON body', text: '{"error":"bad","refresh_token":"rt-abcdef123456', secret: 'rt-abcdef123456', keep: '"error":"bad"' },
  { form: 'PowerShell $env:X = "Y"', text: '$env:DATABRICKS_TOKEN = "psTok123"', secret: 'psTok123', keep: '$env:DATABRICKS_TOKEN' },
  { form: 'credentials: X', text: 'credentials: c2VjcmV0Q3JlZHM=', secret: 'c2VjcmV0Q3JlZHM=', keep: 'credentials' },
  // Connection-string parts
  { form: 'AccountKey=', text: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZ_KEY};EndpointSuffix=core.windows.net`, secret: AZ_KEY.slice(0, 40), keep: 'EndpointSuffix=core.windows.net' },
  { form: 'SharedAccessSignature=', text: 'BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=b&sig=' + SIG, secret: SIG, keep: 'BlobEndpoint' },
  { form: 'Service Bus SharedAccessKey=', text: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=SbKey+abc/123=', secret: 'SbKey+abc/123=', keep: 'SharedAccessKeyName=root' },
  // URLs with user info
  { form: 'postgres://user:password@', text: 'could not connect to postgres://etl:pgPw%21x@db:5432/wh', secret: 'pgPw%21x', keep: 'db:5432/wh' },
  { form: 'jdbc:postgresql://user:password@', text: 'jdbc:postgresql://etl:hunter2@db:5432/x', secret: 'hunter2', keep: 'db:5432/x' },
  { form: 'mysql://user:password@', text: 'mysql://root:my@pw@mysql.local/db', secret: 'my@pw', keep: 'mysql.local/db' },
  { form: 'mongodb+srv://user:password@', text: 'MongoServerError at mongodb+srv://app:M0ng0Pw@cluster0.abc.mongodb.net/?retryWrites=true', secret: 'M0ng0Pw', keep: 'cluster0.abc.mongodb.net' },
  { form: 'redis://:password@', text: 'redis://:R3disPw@cache:6379/0', secret: 'R3disPw', keep: 'cache:6379' },
  { form: 'amqp://user:password@', text: 'amqps://svc:AmqpPw1@mq.example.com/vhost', secret: 'AmqpPw1', keep: 'mq.example.com' },
  { form: 'token as URL user', text: 'git clone https://x0Ab1Cd2Ef3Gh4Ij5Kl6Mn7@github.com/o/r.git', secret: 'x0Ab1Cd2Ef3Gh4Ij5Kl6Mn7', keep: 'github.com/o/r.git' },
  { form: 'jdbc:oracle:thin user/password@', text: 'jdbc:oracle:thin:scott/tiger9@//db:1521/orcl', secret: 'tiger9', keep: 'scott' },
  // Query strings
  { form: 'Azure SAS ?sig=', text: 'PUT https://a.blob.core.windows.net/c/f?sv=2022-11-02&se=2030-01-01&sp=rw&sig=' + SIG + '&x=1', secret: SIG, keep: 'sp=rw' },
  { form: 'OAuth &code=', text: 'https://app/callback?state=s1&code=OAuthC0de123', secret: 'OAuthC0de123', keep: 'state=s1' },
  { form: 'S3 presigned X-Amz-Signature', text: `https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${HEX40}`, secret: HEX40, keep: 'X-Amz-Algorithm' },
  { form: 'S3 presigned X-Amz-Credential', text: 'https://b.s3.amazonaws.com/k?X-Amz-Credential=ASIAXXEXAMPLE123%2F20240101&X-Amz-Date=20240101T000000Z', secret: 'ASIAXXEXAMPLE123', keep: 'X-Amz-Date' },
  { form: 'S3 presigned X-Amz-Security-Token', text: 'https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE&X-Amz-Expires=60', secret: 'IQoJb3JpZ2luX2VjEXAMPLE', keep: 'X-Amz-Expires' },
  { form: 'query ?token=', text: 'GET https://api.example.com/v1/jobs?token=qT0ken987&page=2', secret: 'qT0ken987', keep: 'page=2' },
  { form: 'Google ?key=', text: 'https://maps.googleapis.com/maps/api?key=nonStandardKey123', secret: 'nonStandardKey123', keep: 'googleapis' },
  // Cloud keys
  { form: 'AWS access key id', text: `The AWS Access Key Id ${AWS_ID} does not exist`, secret: AWS_ID, keep: 'does not exist' },
  { form: 'AWS temporary key id (ASIA)', text: 'key ASIA' + 'Y34FZKBOKMUTVV7A in use', secret: 'ASIAY34FZKBOKMUTVV7A', keep: 'in use' },
  { form: 'aws_secret_access_key', text: `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`, secret: AWS_SECRET, keep: '[default]' },
  { form: 'STS JSON SecretAccessKey / SessionToken', text: `{"AccessKeyId":"${AWS_ID}","SecretAccessKey":"${AWS_SECRET}","SessionToken":"FwoGZXIvYXdzEXAMPLE"}`, secret: 'FwoGZXIvYXdzEXAMPLE', keep: 'SessionToken' },
  { form: 'GCP service account private_key', text: `{"type":"service_account","private_key_id":"abc","private_key":"-----BEGIN PRIVATE KEY-----\\n${PEM_BODY}\\n-----END PRIVATE KEY-----\\n","client_email":"sa@p.iam.gserviceaccount.com"}`, secret: PEM_BODY, keep: 'client_email' },
  { form: 'Azure storage key alone (88 base64)', text: `storage key ${AZ_KEY} was rotated`, secret: AZ_KEY.slice(0, 40), keep: 'was rotated' },
  { form: 'Entra ID client secret shape', text: 'AADSTS7000215 provided abc8Q~' + 'dEfGhIjKlMnOpQrStUvWxYz0123456789ab', secret: 'dEfGhIjKlMnOpQrStUvWxYz0123456789ab', keep: 'AADSTS7000215' },
  // PEM blocks
  { form: 'PEM PRIVATE KEY (PKCS#8)', text: `key:\n-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----\nnext`, secret: PEM_BODY, keep: 'next' },
  { form: 'PEM RSA PRIVATE KEY', text: `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`, secret: PEM_BODY, keep: 'RSA PRIVATE KEY' },
  { form: 'PEM OPENSSH PRIVATE KEY', text: `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----`, secret: PEM_BODY, keep: 'OPENSSH' },
  { form: 'PEM ENCRYPTED PRIVATE KEY', text: `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${PEM_BODY}\n-----END ENCRYPTED PRIVATE KEY-----`, secret: PEM_BODY, keep: 'ENCRYPTED' },
  { form: 'PEM cut short (no END line)', text: `loading -----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}`, secret: PEM_BODY, keep: 'loading' },
  // Vendor token shapes
  { form: 'JWT', text: `invalid jwt ${JWT} for workspace`, secret: JWT, keep: 'for workspace' },
  { form: 'Databricks dapi PAT', text: 'token dapi' + '0123456789abcdef0123456789abcdef-2 expired', secret: 'dapi0123456789abcdef0123456789abcdef', keep: 'expired' },
  { form: 'Databricks OAuth secret dose…', text: 'secret dose' + 'a1b2c3d4e5f60718293a4b5c6d7e8f90 used', secret: 'dosea1b2c3d4e5f60718293a4b5c6d7e8f90', keep: 'used' },
  { form: 'GitHub ghp_', text: 'push with ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 failed', secret: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', keep: 'failed' },
  { form: 'GitHub gho_', text: 'gho_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', secret: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', keep: '' },
  { form: 'GitHub ghs_ in URL', text: 'https://x-access-token:ghs_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8@github.com/o/r', secret: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', keep: 'github.com/o/r' },
  { form: 'GitHub github_pat_', text: 'github_pat_' + '11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV', secret: 'mnopqrstuvwxyz0123456789', keep: '' },
  { form: 'GitLab glpat-', text: 'glpat-' + 'xYz12AbC34dEf56GhI78 bad', secret: 'xYz12AbC34dEf56GhI78', keep: 'bad' },
  { form: 'Slack xoxb-', text: 'slack: xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', secret: 'AbCdEfGhIjKlMnOpQrStUvWx', keep: 'slack' },
  { form: 'Slack xoxp-', text: 'xoxp-' + '1234-5678-9012-abcdef123456', secret: 'abcdef123456', keep: '' },
  { form: 'Slack webhook URL', text: 'POST https://hooks.slack.com/services/T00000000/B00000000/' + 'XXXXXXXXXXXXXXXXXXXXXXXX 404', secret: 'XXXXXXXXXXXXXXXXXXXXXXXX', keep: 'hooks.slack.com' },
  { form: 'OpenAI sk-', text: 'Incorrect API key provided: sk-' + 'abcdEFGH1234ijklMNOP5678', secret: 'abcdEFGH1234ijklMNOP5678', keep: 'Incorrect API key provided' },
  { form: 'OpenAI sk-proj-', text: 'key sk-proj-' + 'Ab1_Cd2-Ef3Gh4Ij5Kl6Mn7Op8 invalid', secret: 'Ab1_Cd2-Ef3Gh4Ij5Kl6Mn7Op8', keep: 'invalid' },
  { form: 'Stripe sk_live_', text: 'stripe sk_' + 'live_51HabcdefGHIJKLmnop rejected', secret: 'live_51HabcdefGHIJKLmnop', keep: 'rejected' },
  { form: 'Google AIza', text: 'API key AIza' + 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q not valid', secret: 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q', keep: 'not valid' },
  { form: 'Google OAuth ya29.', text: 'ya29.' + 'a0AfH6SMBx1234567890abcdefghij expired', secret: 'a0AfH6SMBx1234567890abcdefghij', keep: 'expired' },
  { form: 'npm_ token', text: '//registry.npmjs.org/:_authToken=npm_' + 'abcdefghijklmnopqrstuvwxyz0123456789', secret: 'abcdefghijklmnopqrstuvwxyz0123456789', keep: 'registry.npmjs.org' },
  { form: 'SendGrid SG.', text: 'SG.' + 'abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', secret: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', keep: '' },
  { form: 'Hugging Face hf_', text: 'hf_' + 'abcdefghijklmnopqrstuvwxyzABCDEFGH used', secret: 'abcdefghijklmnopqrstuvwxyzABCDEFGH', keep: 'used' },
  { form: 'Airbyte API key as JWT in header', text: `"authorization": "Bearer ${JWT}"`, secret: JWT.slice(40), keep: 'authorization' },
];
