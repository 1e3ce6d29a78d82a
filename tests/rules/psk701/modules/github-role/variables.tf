variable "github_org" {
  type    = string
  default = "example-org"
}

variable "subjects" {
  description = "Workflows that may assume the role"
  type        = list(string)
  default     = ["repo:example-org/*"]
}

variable "repository" {
  type = string
}

variable "provider_url" {
  type    = string
  default = "token.actions.githubusercontent.com"
}
