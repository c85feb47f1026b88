# The configuration `make demo` applies against the local FunctionGraph
# emulator. Credentials come from HW_ACCESS_KEY and HW_SECRET_KEY.
terraform {
  required_providers {
    huaweicloud = {
      source = "fgs-tools/huaweicloud"
    }
  }
}

variable "fgs_endpoint" {
  description = "The FunctionGraph endpoint: the emulator's address."
  type        = string
}

variable "function_urn" {
  description = "The function whose invocation to cancel."
  type        = string
}

variable "request_id" {
  description = "The request ID of the async invocation to cancel."
  type        = string
}

provider "huaweicloud" {
  endpoints = {
    fgs = var.fgs_endpoint
  }
}

resource "huaweicloud_fgs_async_invocation_cancel" "demo" {
  function_urn = var.function_urn
  request_id   = var.request_id
}

output "cancelled_at" {
  value = huaweicloud_fgs_async_invocation_cancel.demo.cancelled_at
}

output "api_request_id" {
  value = huaweicloud_fgs_async_invocation_cancel.demo.api_request_id
}
