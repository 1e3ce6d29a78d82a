resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

# Exact sub per repository and environment: passes.
resource "aws_iam_role" "deploy_prod" {
  name = "deploy-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:example-org/app:environment:prod"
        }
      }
    }]
  })
}

# StringLike pinned to one repository (any ref): passes; StringEquals with '*' is a literal.
resource "aws_iam_role" "deploy_tags" {
  name = "deploy-tags"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
        Condition = {
          StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
          StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:example-org/app:*" }
        }
      },
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
        Condition = {
          StringEquals = {
            "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
            "token.actions.githubusercontent.com:sub" = "repo:example-org/*"
          }
        }
      },
    ]
  })
}

# Whole organisation, any ref.
resource "aws_iam_role" "deploy_org" {
  name = "deploy-org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike = {
          "token.actions.githubusercontent.com:sub" = [
            "repo:example-org/app:ref:refs/heads/main",
            "repo:example-org/*", # expect: PSK701
            "repo:*", # expect: PSK701
          ]
        }
      }
    }]
  })
}

# No sub at all, and no conditions at all.
resource "aws_iam_role" "deploy_any" {
  name = "deploy-any"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { # expect: PSK701
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
        Condition = {
          StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        }
      },
      { # expect: PSK701
        Effect    = "Allow"
        Action    = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
        Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      },
    ]
  })
}

# A negated test does not pin the repository.
resource "aws_iam_role" "deploy_not" {
  name = "deploy-not"
  assume_role_policy = jsonencode({
    Statement = { # expect: PSK701
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals  = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringNotLike = { "token.actions.githubusercontent.com:sub" = "repo:evil-org/*" }
      }
    }
  })
}

# A JSON heredoc.
resource "aws_iam_role" "heredoc" {
  name = "deploy-heredoc"
  # expect+11: PSK701
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
          "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "*"}
          }
        }
      ]
    }
  EOF
}

# A policy document: StringLike on the whole organisation; no aud.
data "aws_iam_policy_document" "github_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/*:*"] # expect: PSK701
    }
  }

  statement { # expect: PSK701
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/app:ref:refs/heads/main"]
    }
  }
}

data "aws_iam_policy_document" "github_trust_ok" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/app:environment:prod", "repo:example-org/app:ref:refs/tags/v*"]
    }
  }
}

# Not GitHub: EKS service accounts (IRSA) and an EC2 service role.
data "aws_iam_policy_document" "irsa" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.eks_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.eks_oidc_issuer}:sub"
      values   = ["system:serviceaccount:kube-system:aws-load-balancer-controller"]
    }
  }
}

resource "aws_iam_role" "ec2" {
  name = "ec2"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

# The repository comes from a variable: "repo:${var.github_repository}:*" pins one repository
# whichever it is; a variable owner with a wildcard repository does not.
resource "aws_iam_role" "from_variables" {
  name = "deploy-vars"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = local.github_oidc_provider_arn }
      Condition = {
        StringLike = {
          "token.actions.githubusercontent.com:sub" = [
            "repo:${var.github_repository}:*",
            "repo:${var.github_org}/${var.github_repo}:environment:prod",
            "repo:${var.github_org}/*", # expect: PSK701
          ]
        }
        "ForAllValues:StringEquals" = {
          "token.actions.githubusercontent.com:iss" = "https://token.actions.githubusercontent.com"
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}
