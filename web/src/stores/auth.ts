import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '@/api/client'
import type { Me, Region } from '@/api/types'

export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  const checked = ref(false)
  /** Regions the user may pick from (the roots of the region selector). */
  const scopeRoots = ref<Region[]>([])
  /** The region chosen in the header; list pages filter by it. */
  const regionCode = ref<string | null>(null)

  const permissions = computed<string[]>(() => me.value?.permissions ?? [])
  const can = (permission: string) => permissions.value.includes(permission)

  async function loadScope() {
    // Until the password is changed the server refuses everything else.
    if (me.value?.must_change_password) return
    const { data } = await api.GET('/api/regions/scope')
    scopeRoots.value = data ?? []
    // National administrators have no region: null means the whole country. A supervision
    // group member's scope is its groups' regions, not its account's: null means all of them.
    const own = me.value?.region?.code ?? null
    regionCode.value = own && scopeRoots.value.some((r) => r.code === own) ? own : null
  }

  function setMe(user: Me | null) {
    me.value = user
    checked.value = true
  }

  /** Asks the server who is logged in (once per page load, or after login). */
  async function fetchMe(): Promise<Me | null> {
    const { data } = await api.GET('/api/auth/me')
    setMe(data ?? null)
    if (data) await loadScope()
    return me.value
  }

  async function logout() {
    await api.POST('/api/auth/logout')
    clear()
  }

  function clear() {
    me.value = null
    scopeRoots.value = []
    regionCode.value = null
    checked.value = true
  }

  return { me, checked, scopeRoots, regionCode, permissions, can, setMe, fetchMe, loadScope, logout, clear }
})
