# Cancel these request IDs, at most 20 requests in flight. Adding IDs later
# cancels the added ones in place; reordering or removing them sends nothing.
resource "huaweicloud_fgs_async_invocations_cancel" "batch" {
  function_urn    = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  request_ids     = var.request_ids
  max_concurrency = 20

  timeouts {
    create = "10m"
  }
}

variable "request_ids" {
  description = "The request IDs of the async invocations to cancel."
  type        = list(string)
}

# Cancel every invocation queued (WAIT) or RUNNING at apply that started in
# the last 12 hours; without started_within it looks back 72 hours. Changing
# the window later sends nothing: to cancel again, apply with -replace.
resource "huaweicloud_fgs_async_invocations_cancel" "runaway" {
  function_urn   = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  started_within = "12h"
}

output "cancelled" {
  value = huaweicloud_fgs_async_invocations_cancel.runaway.cancelled_request_ids
}
