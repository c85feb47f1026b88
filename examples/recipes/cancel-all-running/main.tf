# Cancel every queued or running invocation of a function: one bulk cancel,
# at apply.
#
# It lists what is WAIT or RUNNING when the cancels are sent, within
# started_within (72 hours if unset), so nothing that ended between plan and
# apply can fail it, and the queue cannot restart the job. Later applies
# send nothing unless a cancel failed (then only it is retried); changing
# started_within sends nothing either. To cancel again, say so:
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
  started_within  = "12h"
  max_concurrency = 50
}

output "cancelled" {
  value = huaweicloud_fgs_async_invocations_cancel.all_running.cancelled_request_ids
}

output "listed" {
  description = "How many of each status the listing found, such as { RUNNING = 1, WAIT = 3 }."
  value       = huaweicloud_fgs_async_invocations_cancel.all_running.listed_by_status
}
