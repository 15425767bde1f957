import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { UserError } from '../../errors';
import type { ListOptions, PutOptions, StorageBackend, StorageEntry } from './backend';
import { mapConcurrent } from '../../util/limiter';

export interface S3BackendOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slash ('' for the bucket root). */
  prefix?: string;
  /** Endpoint URL of an S3-compatible service (MinIO, Ceph RGW…); AWS when absent. */
  endpoint?: string;
  /** Region; defaults to AWS_REGION / AWS_DEFAULT_REGION, then us-east-1. */
  region?: string;
  /** Path-style addressing (http://host/bucket/key), which most self-hosted services need. */
  forcePathStyle?: boolean;
  /** Explicit credentials; the standard AWS chain (env, profile, web identity…) when absent. */
  credentials?: S3ClientConfig['credentials'];
  /** Objects larger than this go up in parts. Default 64 MiB. */
  multipartThreshold?: number;
  /** Part size of multipart uploads. Default 16 MiB (S3 needs at least 5 MiB, except the last part). */
  partSize?: number;
  /** Keys per ListObjectsV2 page. Default 1000 (the S3 maximum). */
  listPageSize?: number;
  /** Attempts per request, including retries of throttling and 5xx errors. Default 5. */
  maxAttempts?: number;
  /** Use this client instead of building one (the backend will not destroy it). */
  client?: S3Client;
}

const MiB = 1024 * 1024;

/** A repository under a prefix of an S3 (or S3-compatible) bucket. */
export class S3Backend implements StorageBackend {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  readonly location: string;
  private readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly endpoint?: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly listPageSize: number;
  private conditionalPuts = true;
  private batchDeletes = true;

  constructor(options: S3BackendOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.endpoint = options.endpoint;
    this.location = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
    this.multipartThreshold = options.multipartThreshold ?? 64 * MiB;
    this.partSize = options.partSize ?? 16 * MiB;
    this.listPageSize = options.listPageSize ?? 1000;
    if (this.partSize < 1 || this.multipartThreshold < 1 || this.listPageSize < 1) {
      throw new RangeError('S3 part size, multipart threshold and page size must be positive');
    }
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new S3Client({
        region:
          options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts ?? 5,
        // S3-compatible services often reject the SDK's newer default (CRC checksums with
        // aws-chunked trailers); send checksums only where the API requires them.
        ...(options.endpoint
          ? {
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {}),
      });
  }

  private objectKey(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      if (!result.Body) return Buffer.alloc(0);
      const bytes = await result.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (isS3Error(error, 'NoSuchKey', 'NotFound', 'NoSuchBucket')) return undefined;
      throw this.translate(error, 'read');
    }
  }

  async put(key: string, data: Uint8Array, options: PutOptions = {}): Promise<boolean> {
    const ifAbsent = options.ifAbsent ?? false;
    // Services that ignore If-None-Match still get a best-effort check first.
    if (ifAbsent && (await this.exists(key))) return false;
    try {
      if (data.byteLength > this.multipartThreshold) await this.putMultipart(key, data, ifAbsent);
      else await this.putSingle(key, data, ifAbsent);
      return true;
    } catch (error) {
      if (ifAbsent && isS3Error(error, 'PreconditionFailed', 'ConditionalRequestConflict')) {
        return false;
      }
      throw this.translate(error, 'write');
    }
  }

  private async putSingle(key: string, data: Uint8Array, ifAbsent: boolean): Promise<void> {
    const send = (conditional: boolean) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: data,
          ContentLength: data.byteLength,
          ContentType: 'application/octet-stream',
          ...(conditional ? { IfNoneMatch: '*' } : {}),
        }),
      );
    try {
      await send(ifAbsent && this.conditionalPuts);
    } catch (error) {
      if (!(ifAbsent && this.conditionalPuts && isS3Error(error, 'NotImplemented'))) throw error;
      this.conditionalPuts = false;
      await send(false);
    }
  }

  private async putMultipart(key: string, data: Uint8Array, ifAbsent: boolean): Promise<void> {
    const Key = this.objectKey(key);
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key,
        ContentType: 'application/octet-stream',
      }),
    );
    const UploadId = created.UploadId;
    if (!UploadId) throw new Error(`S3 did not return an upload id for ${this.location}/${key}`);
    try {
      const count = Math.ceil(data.byteLength / this.partSize);
      const parts = await mapConcurrent(
        Array.from({ length: count }, (_, i) => i),
        4,
        async index => {
          const body = data.subarray(index * this.partSize, (index + 1) * this.partSize);
          const part = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: index + 1,
              Body: body,
              ContentLength: body.byteLength,
            }),
          );
          return { PartNumber: index + 1, ETag: part.ETag };
        },
      );
      const complete = (conditional: boolean) =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key,
            UploadId,
            MultipartUpload: { Parts: parts },
            ...(conditional ? { IfNoneMatch: '*' } : {}),
          }),
        );
      try {
        await complete(ifAbsent && this.conditionalPuts);
      } catch (error) {
        if (!(ifAbsent && this.conditionalPuts && isS3Error(error, 'NotImplemented'))) throw error;
        this.conditionalPuts = false;
        await complete(false);
      }
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: string): Promise<StorageEntry | undefined> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return { key, size: head.ContentLength, modified: head.LastModified };
    } catch (error) {
      if (isS3Error(error, 'NotFound', 'NoSuchKey', 'NoSuchBucket')) return undefined;
      throw this.translate(error, 'read');
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
    } catch (error) {
      if (isS3Error(error, 'NoSuchKey', 'NotFound')) return;
      throw this.translate(error, 'delete');
    }
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      if (this.batchDeletes) {
        try {
          const result = await this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: batch.map(key => ({ Key: this.objectKey(key) })), Quiet: true },
            }),
          );
          const failed = (result.Errors ?? []).filter(e => e.Code !== 'NoSuchKey');
          if (failed.length > 0) {
            const first = failed[0];
            throw new UserError(
              first.Code === 'AccessDenied' ? 'forbidden' : 'partial-failure',
              `could not delete ${failed.length} object(s) from ${this.location}: ${first.Code ?? 'error'} (${first.Key ?? ''})`,
            );
          }
          continue;
        } catch (error) {
          if (error instanceof UserError) throw error;
          // Some S3-compatible services do not implement DeleteObjects or want Content-MD5.
          if (!isS3Error(error, 'NotImplemented', 'MissingContentMD5', 'InvalidRequest')) {
            throw this.translate(error, 'delete');
          }
          this.batchDeletes = false;
        }
      }
      await mapConcurrent(batch, 16, key => this.delete(key));
    }
  }

  async *list(prefix: string, _options: ListOptions = {}): AsyncIterable<StorageEntry> {
    const full = this.objectKey(prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: full,
            MaxKeys: this.listPageSize,
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        if (isS3Error(error, 'NoSuchBucket')) return;
        throw this.translate(error, 'list');
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { key: object.Key.slice(strip), size: object.Size, modified: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Creates the bucket when it does not exist (needs s3:CreateBucket; skipped otherwise). */
  async prepare(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isS3Error(error, 'NotFound', 'NoSuchBucket')) throw this.translate(error, 'read');
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (isS3Error(error, 'BucketAlreadyOwnedByYou', 'BucketAlreadyExists')) return;
      throw this.translate(error, 'create the bucket');
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  /** Turns errors a user can fix (credentials, permissions, endpoint, bucket) into UserErrors. */
  private translate(error: unknown, action: string): unknown {
    if (error instanceof UserError) return error;
    const name = (error as { name?: string })?.name ?? '';
    if (name === 'CredentialsProviderError') {
      return new UserError(
        'unauthorized',
        `no S3 credentials for ${this.location}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`,
      );
    }
    if (
      ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken'].includes(name)
    ) {
      return new UserError(
        'unauthorized',
        `S3 rejected the credentials for ${this.location} (${name})`,
      );
    }
    if (name === 'AccessDenied' || name === 'Forbidden' || httpStatus(error) === 403) {
      return new UserError('forbidden', `access denied to ${this.location} (cannot ${action})`);
    }
    if (name === 'NoSuchBucket') {
      return new UserError('not-found', `S3 bucket "${this.bucket}" does not exist`);
    }
    const network = networkErrorCode(error);
    if (network) {
      return new UserError(
        'invalid-argument',
        `cannot reach the S3 endpoint ${this.endpoint ?? 'for ' + this.location} (${network})`,
      );
    }
    return error;
  }
}

const NETWORK_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
];

/** The system error code of a connection failure, also when the SDK wrapped it in text. */
function networkErrorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string }; message?: string } | undefined;
  for (const code of [e?.code, e?.cause?.code])
    if (code && NETWORK_CODES.includes(code)) return code;
  const match = new RegExp(`\\b(${NETWORK_CODES.join('|')})\\b`).exec(e?.message ?? '');
  return match?.[1];
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function isS3Error(error: unknown, ...names: string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; Code?: string };
  if (names.includes(e.name ?? '') || names.includes(e.Code ?? '')) return true;
  const status = httpStatus(error);
  if (status === 404 && names.some(n => n === 'NotFound' || n === 'NoSuchKey')) return true;
  if (status === 412 && names.includes('PreconditionFailed')) return true;
  return false;
}
