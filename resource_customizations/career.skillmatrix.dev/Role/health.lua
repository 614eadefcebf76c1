-- Health of a career.skillmatrix.dev/v1alpha1 Role (skillmatrix-operator).
-- Only the Lua base library is used: Argo CD runs argocd-cm scripts without
-- the standard libraries unless useOpenLibs is set.
local hs = {}

-- Ready=False for these reasons resolves without a change to the Role:
-- the SkillMatrix watch wakes the Role when its matrix appears, and a failed
-- ConfigMap write is retried with backoff. Every other reason (InvalidSpec,
-- MatrixInvalid, RenderFailed, TooLarge, ConfigMapConflict) needs a fix.
local transient = {
  MatrixNotFound = true,
  PublishFailed = true,
}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function text(value)
  if value == nil then
    return ""
  end
  return tostring(value)
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end

local function waiting()
  hs.status = "Progressing"
  if generation ~= nil then
    hs.message = "Waiting for the operator to observe generation " .. text(generation)
  else
    hs.message = "Waiting for the operator"
  end
  return hs
end

if obj.status == nil then
  return waiting()
end
if generation ~= nil then
  local observed = obj.status.observedGeneration
  if observed == nil or observed < generation then
    return waiting()
  end
end
local ready = condition("Ready")
if ready == nil then
  return waiting()
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  return waiting()
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready.message)
  local valid = condition("Valid")
  if valid ~= nil and valid.reason == "ValidWithWarnings" and text(valid.message) ~= "" then
    hs.message = hs.message .. "; " .. text(valid.message)
  end
  return hs
end

local reason = text(ready.reason)
local message = text(ready.message)
if message == "" then
  message = reason
elseif reason ~= "" then
  message = reason .. ": " .. message
end
-- Ready says what is wrong; Valid or Published, set with the same reason,
-- says why (the validation problems, the API error).
for _, detailType in ipairs({"Valid", "Published"}) do
  local detail = condition(detailType)
  if detail ~= nil and detail.status ~= "True" and detail.reason == ready.reason
      and text(detail.message) ~= "" and detail.message ~= ready.message then
    message = message .. "; " .. text(detail.message)
    break
  end
end
hs.message = message

if ready.status == "False" and not transient[reason] then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
return hs
