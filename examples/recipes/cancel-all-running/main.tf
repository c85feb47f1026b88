# Cancel every waiting or running invocation of a function.
#
# Invocations already cancelled (error code 4208) stay in the set, so the
# next plan keeps their records instead of planning to destroy them; new
# invocations that start later are cancelled by the next apply.
terraform {
  required_providers {
    huaweicloud = {
      source = "fgs-tools/huaweicloud"
    }
  }
}

variable "function_urn" {
  description = "The function whose invocations to cancel."
  type        = string
}

data "huaweicloud_fgs_async_invocations" "all" {
  function_urn = var.function_urn
  # Narrow the listing on busy functions, e.g.:
  # query_begin_time = "2026-01-02T00:00:00Z"
}

locals {
  to_cancel = toset([
    for inv in data.huaweicloud_fgs_async_invocations.all.invocations : inv.request_id
    if contains(["WAIT", "RUNNING"], inv.status) || inv.error_code == "4208"
  ])
}

resource "huaweicloud_fgs_async_invocation_cancel" "all" {
  for_each     = local.to_cancel
  function_urn = data.huaweicloud_fgs_async_invocations.all.function_urn
  request_id   = each.value
}

output "cancelled" {
  value = keys(huaweicloud_fgs_async_invocation_cancel.all)
}
