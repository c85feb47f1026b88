# The invocations of a function that are still running, started in the last day.
data "huaweicloud_fgs_async_invocations" "running" {
  function_urn     = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:report-generator:latest"
  status           = "RUNNING"
  query_begin_time = timeadd(plantimestamp(), "-24h")
}

output "running_request_ids" {
  value = data.huaweicloud_fgs_async_invocations.running.invocations[*].request_id
}
