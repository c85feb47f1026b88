# Cancel these request IDs, at most 20 requests in flight.
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

# Cancel every invocation RUNNING at apply that started in the last 12 hours.
# Without query_begin_time it looks back 72 hours.
resource "huaweicloud_fgs_async_invocations_cancel" "runaway" {
  function_urn     = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  query_begin_time = timeadd(plantimestamp(), "-12h")
}

output "cancelled" {
  value = huaweicloud_fgs_async_invocations_cancel.runaway.cancelled_request_ids
}
