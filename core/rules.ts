/** Naming rules of Kubernetes and AWS, each with the phrase an error message uses for it. */

export interface NameRule {
  /** Completes `"<value>" is not a valid ...`. */
  what: string;
  test: (value: string) => boolean;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Control characters and Unicode format characters (bidirectional overrides, zero-width joiners...): they can make a value read as another. */
export const DISGUISING = /[\p{Cc}\p{Cf}]/u;

export const RULES = {
  namespace: {
    what: "Kubernetes namespace (RFC 1123 label: lowercase letters, digits and '-', at most 63 characters)",
    test: (v) => v.length <= 63 && DNS1123_LABEL.test(v),
  },
  serviceAccount: {
    what: "Kubernetes ServiceAccount name (RFC 1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters)",
    test: (v) => v.length <= 253 && DNS1123_SUBDOMAIN.test(v),
  },
  serviceAccountPattern: {
    what: "ServiceAccount name or pattern (RFC 1123 subdomain where '*' may stand for any characters)",
    test: (v) => v === "*" || (v.length <= 253 && DNS1123_SUBDOMAIN.test(v.replace(/\*/g, "x"))),
  },
  workloadName: {
    what: "workload name (RFC 1123 label: lowercase letters, digits and '-', at most 63 characters)",
    test: (v) => v.length <= 63 && DNS1123_LABEL.test(v),
  },
  clusterName: {
    what: "EKS cluster name (letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters)",
    test: (v) => /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(v),
  },
  s3Bucket: {
    what: "S3 bucket name (3-63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix or suffix)",
    test: (v) =>
      v.length >= 3 &&
      v.length <= 63 &&
      /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(v) &&
      !v.includes("..") &&
      !IPV4.test(v) &&
      !/^(xn--|sthree-|amzn-s3-demo-)/.test(v) &&
      !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(v),
  },
  s3Prefix: {
    what:
      "S3 key prefix (1-1024 characters; no wildcards '*' or '?', no '$' (IAM reads ${...} as a policy variable), no leading '/', " +
      "no '.' or '..' segment, no control or invisible formatting characters; leave it out for the whole bucket)",
    test: (v) => v.length >= 1 && v.length <= 1024 && !/[*?$]/.test(v) && !v.startsWith("/") && !/(^|\/)\.{1,2}(\/|$)/.test(v) && !DISGUISING.test(v),
  },
  dynamoTable: {
    what: "DynamoDB table name (3-255 characters: letters, digits, '_', '-' and '.'; no wildcards)",
    test: (v) => /^[A-Za-z0-9_.-]{3,255}$/.test(v),
  },
  dynamoIndex: {
    what: "DynamoDB index name (3-255 characters: letters, digits, '_', '-' and '.'; no wildcards)",
    test: (v) => /^[A-Za-z0-9_.-]{3,255}$/.test(v),
  },
  secretName: {
    what: "Secrets Manager secret name (1-512 characters: letters, digits and /_+=.@-; no wildcards)",
    test: (v) => /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(v),
  },
  secretPrefix: {
    what: "Secrets Manager name prefix (1-512 characters: letters, digits and /_+=.@-; no wildcards)",
    test: (v) => /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(v),
  },
  k8sName: {
    what: "Kubernetes object name (RFC 1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters)",
    test: (v) => v.length <= 253 && DNS1123_SUBDOMAIN.test(v),
  },
  secretDataKey: {
    what: "Kubernetes Secret data key (letters, digits, '-', '_' and '.', at most 253 characters)",
    test: (v) => v.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(v),
  },
  duration: {
    what: "duration (a Go duration such as 1h, 30m or 1h30m; 0 turns refreshing off)",
    test: (v) => v === "0" || /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v),
  },
  semver: {
    what: "chart version (an exact semantic version such as 2.10.0: a pin, not a range)",
    test: (v) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v),
  },
  roleLabel: {
    what: "name (RFC 1123 label: lowercase letters, digits and '-', at most 63 characters)",
    test: (v) => v.length <= 63 && DNS1123_LABEL.test(v),
  },
  accountId: {
    what: "AWS account id (12 digits, quoted in YAML so that leading zeros survive)",
    test: (v) => /^\d{12}$/.test(v),
  },
  roleName: {
    what: "IAM role name (1-64 characters: letters, digits and +=,.@_-)",
    test: (v) => /^[\w+=,.@-]{1,64}$/.test(v),
  },
  profileName: {
    what: "AWS profile name (letters, digits, '.', '_' and '-')",
    test: (v) => /^[A-Za-z0-9._-]{1,128}$/.test(v),
  },
  iamPath: {
    what: "IAM path ('/' or '/segments/' of letters, digits and +=,.@_-, at most 512 characters)",
    test: (v) => v.length <= 512 && /^\/([\w+=,.@-]+\/)*$/.test(v),
  },
  region: {
    what: "AWS region (e.g. us-east-1, cn-north-1, us-gov-west-1)",
    test: (v) => /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d$/.test(v),
  },
  tagKey: {
    what: "tag key (1-128 characters: letters, digits, spaces and _.:/=+-@; not starting with 'aws:' or 'eks-irsa:', which are reserved)",
    test: (v) => /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(v) && !/^(aws|eks-irsa):/i.test(v),
  },
  tagValue: {
    what: "tag value (at most 256 characters: letters, digits, spaces and _.:/=+-@)",
    test: (v) => /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(v),
  },
} satisfies Record<string, NameRule>;
