resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = ["arn:aws:s3:::example-org-artifacts", "arn:aws:s3:::example-org-artifacts/*"]
      },
      { # expect: PSK705
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
      {
        Effect   = "Deny"
        Action   = "*"
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["*"]
        Resource = aws_s3_bucket.artifacts.arn
      },
    ]
  })
}

data "aws_iam_policy_document" "ci" {
  statement {
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement { # expect: PSK705
    actions   = ["ecr:PutImage", "iam:*"]
    resources = ["*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["iam:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.trust.json

  inline_policy {
    name = "assume-anything"
    # expect+6: PSK705
    policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-org-artifacts/*"},
    {"Effect": "Allow", "Action": ["STS:*"], "Resource": ["*"]}
  ]
}
EOF
  }
}

resource "aws_iam_role_policy" "single_statement" {
  name = "single"
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = { Effect = "Allow", Action = "iam:*", Resource = "*" } # expect: PSK705
  })
}

# Built from other values: not a literal policy, not judged.
resource "aws_iam_policy" "generated" {
  name   = "generated"
  policy = templatefile("${path.module}/policy.json.tpl", { bucket = var.bucket })
}

resource "aws_iam_policy" "from_document" {
  name   = "from-document"
  policy = data.aws_iam_policy_document.ci.json
}

# Not IAM documents: an ECR lifecycle policy and an autoscaling policy also have a `policy`
# attribute, in their own languages. They are neither judged nor an error.
resource "aws_ecr_lifecycle_policy" "app" {
  repository = "app"
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the last 30 images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 30 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_glacier_vault_lock" "archive" {
  vault_name    = "archive"
  complete_lock = false
  policy        = "[\"not\", \"a policy\"]"
}
