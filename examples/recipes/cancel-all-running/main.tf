# Cancel every running invocation of a function: one bulk cancel, at apply.
#
# It lists what is RUNNING when the cancels are sent (looking back 72 hours
# unless query_begin_time says otherwise), so nothing that ended between plan
# and apply can fail it. To cancel again later, replace it:
#   terraform apply -replace=huaweicloud_fgs_async_invocations_cancel.all_running
#
# To look before cancelling, the huaweicloud_fgs_async_invocations data source
# lists them (status = "RUNNING"); give it a query_begin_time, since without
# one FunctionGraph lists the last hour only.
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

resource "huaweicloud_fgs_async_invocations_cancel" "all_running" {
  function_urn    = var.function_urn
  max_concurrency = 50
}

output "cancelled" {
  value = huaweicloud_fgs_async_invocations_cancel.all_running.cancelled_request_ids
}
